"""The offline engine: every role done with classical NLP over the learner's own material and the
local embedding model. Functions here are blocking (CPU work); callers run them in a thread."""
