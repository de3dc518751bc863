"""What a confidence means: a low evaluation, a concept the learner is struggling with now, and
a weak point. One definition each; progress, review, sessions and the AI analytics read them
here (the functions read the constants when called, so moving a line moves every reader).

Two meanings share one line:
- *struggling now* looks at the latest evaluation only: it can end with the next good answer.
  The progress page lists these concepts as weak areas and the tutor goes back to reviewing.
- a *weak point* also remembers: repeated low evaluations keep a concept weak even after one
  answer went better. The review page and the Reviewer's reports name these.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

LOW_BELOW = 0.5
"""An evaluation whose confidence is below this is low: the explanation did not hold up."""

REPEATED_LOWS = 2
"""This many low evaluations of one concept make it a weak point even when the latest went
better, and make the tutor slow down on it."""


def is_low(confidence: float) -> bool:
    """Whether one evaluation is low (below LOW_BELOW)."""
    return confidence < LOW_BELOW


def lows(confidences: Iterable[float]) -> list[float]:
    """The low evaluations among `confidences`, in their order."""
    return [c for c in confidences if is_low(c)]


def repeatedly_low(confidences: Iterable[float]) -> bool:
    """Low at least REPEATED_LOWS times, whatever the latest evaluation was."""
    return len(lows(confidences)) >= REPEATED_LOWS


def struggling(last_confidence: float | None) -> bool:
    """Struggling now: the latest evaluation was low. Nothing evaluated yet is not struggling."""
    return last_confidence is not None and is_low(last_confidence)


def weak_point(confidences: Sequence[float]) -> bool:
    """A weak point: struggling now, or low REPEATED_LOWS times even if it went better since.
    `confidences` are the concept's evaluations, oldest first."""
    if not confidences:
        return False
    return struggling(confidences[-1]) or repeatedly_low(confidences)
