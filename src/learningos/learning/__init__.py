"""The learning loop: learning maps, sessions, notes, progress and review."""
