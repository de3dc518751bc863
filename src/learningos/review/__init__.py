"""Spaced review: the FSRS schedule of each concept, weak points, session summaries and the
weekly report."""
