"""Campaign discount codes: what staff create, what a cart applies, and guarded use counts."""
