"""Content marketing: exercises and articles that link to the products they need."""
