"""Staff users, their roles, API tokens and the staff console."""
