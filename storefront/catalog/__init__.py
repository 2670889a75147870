"""Products, their variants and stock."""
