"""Carts: a token, lines of variants, and a real empty state."""
