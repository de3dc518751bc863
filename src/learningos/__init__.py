"""Learning OS: turn a learner's own material into real understanding."""

__version__ = "0.1.0"
