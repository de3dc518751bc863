"""Becoming a creator: the creator agreement, legal name, country and tax id."""
