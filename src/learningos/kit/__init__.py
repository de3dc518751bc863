"""Shared mechanisms used by every domain."""
