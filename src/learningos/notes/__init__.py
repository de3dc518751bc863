"""Notes: one per learner and concept, versioned, with AI feedback, searchable."""
