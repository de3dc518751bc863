"""What one examiner evaluation does to the learner's record of a concept — the one place.

The attempt is counted and its confidence kept in the history (with the session it came
from), the gaps the examiner found replace the earlier ones, a concept not started is now in
progress, and the concept's review card is reviewed with the rating the confidence earns
(FSRS, see `scheduler.py`), which sets the next due date. It lives with the review card
because review reads progress, never the other way round.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from learningos.models.learning import ConceptProgress, ProgressStatus
from learningos.review.scheduler import apply_evaluation


def record_evaluation(
    progress: ConceptProgress,
    *,
    confidence: float,
    gaps: Iterable[str],
    at: datetime,
    session_id: uuid.UUID,
    bounds: tuple[float, float, float],
) -> None:
    """Apply one evaluation to `progress`. `bounds`: the confidences that separate the review
    ratings Again / Hard / Good / Easy (the setting `review_rating_bounds`)."""
    progress.attempts += 1
    progress.confidence_history = [
        *progress.confidence_history,
        {"at": at.isoformat(), "confidence": confidence, "session_id": str(session_id)},
    ]
    progress.last_confidence = confidence
    progress.gaps = list(gaps)
    if progress.status == ProgressStatus.NOT_STARTED:
        progress.status = ProgressStatus.IN_PROGRESS
    apply_evaluation(progress, confidence, at, bounds)
