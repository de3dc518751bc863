"""What one evaluation does to a concept's progress and review card (review/evaluation.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from learningos.models.learning import ConceptProgress
from learningos.review.evaluation import record_evaluation
from learningos.review.scheduler import card_of

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BOUNDS = (0.5, 0.65, 0.85)


def fresh() -> ConceptProgress:
    return ConceptProgress(
        user_id=uuid.uuid4(),
        concept_id=uuid.uuid4(),
        content_id=uuid.uuid4(),
        status="not_started",
        attempts=0,
        confidence_history=[],
        gaps=["old gap"],
        time_spent_seconds=0,
    )


def test_an_evaluation_counts_the_attempt_and_schedules_the_card() -> None:
    row, session_id = fresh(), uuid.uuid4()
    record_evaluation(
        row, confidence=0.4, gaps=["the base"], at=AT, session_id=session_id, bounds=BOUNDS
    )
    assert (row.attempts, row.last_confidence, row.gaps, row.status) == (
        1,
        0.4,
        ["the base"],
        "in_progress",
    )
    assert row.confidence_history == [
        {"at": AT.isoformat(), "confidence": 0.4, "session_id": str(session_id)}
    ]
    assert card_of(row) is not None and row.due_at is not None
    assert row.due_at >= AT + timedelta(days=1)  # no review within the same day


def test_a_strong_second_evaluation_pushes_the_review_further_out() -> None:
    row = fresh()
    record_evaluation(row, confidence=0.4, gaps=[], at=AT, session_id=uuid.uuid4(), bounds=BOUNDS)
    weak_due = row.due_at
    assert weak_due is not None
    later = AT + timedelta(days=1)
    record_evaluation(
        row, confidence=0.95, gaps=[], at=later, session_id=uuid.uuid4(), bounds=BOUNDS
    )
    assert row.attempts == 2 and [h["confidence"] for h in row.confidence_history] == [0.4, 0.95]
    assert row.due_at is not None and row.due_at - later > weak_due - AT


def test_a_completed_concept_stays_completed() -> None:
    row = fresh()
    row.status = "completed"
    record_evaluation(row, confidence=0.3, gaps=[], at=AT, session_id=uuid.uuid4(), bounds=BOUNDS)
    assert row.status == "completed" and row.attempts == 1
