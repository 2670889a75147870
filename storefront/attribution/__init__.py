"""Which piece of content led to which sale: views, adds to cart, orders and revenue per source."""
