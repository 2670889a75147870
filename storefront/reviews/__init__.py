"""Product reviews, moderated before anyone sees them."""
