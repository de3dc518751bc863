"""Learning sessions: the state machine of the guided loop (tutor → learner → examiner → coach)."""
