"""The moderation queue shared by every kind of visitor writing, and its audit log."""
