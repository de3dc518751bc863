"""Progress: time spent, streaks, confidence over time, per concept, per content and overall."""
