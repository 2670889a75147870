"""Placing orders, handing them to a payment provider, and applying what the provider says."""
