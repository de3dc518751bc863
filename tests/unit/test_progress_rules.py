"""One definition of a low evaluation, of struggling now and of a weak point: the rules at their
boundary, and every reader following them when the line moves (a copy of the old number left
in any reader makes these fail)."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.ai.inputs import ReviewedConcept, ReviewerInput
from learningos.ai.offline import reviewer as offline_reviewer
from learningos.models.learning import ConceptProgress
from learningos.progress import rules
from learningos.progress import service as progress_service
from learningos.review.service import Practised

confidences = st.lists(st.floats(min_value=0, max_value=1), max_size=6)


def test_low_is_strictly_below_the_line() -> None:
    assert rules.is_low(rules.LOW_BELOW - 0.01)
    assert not rules.is_low(rules.LOW_BELOW)
    assert rules.lows([0.2, 0.5, 0.9, 0.49]) == [0.2, 0.49]


def test_struggling_looks_at_the_latest_evaluation_only() -> None:
    assert rules.struggling(0.3)
    assert not rules.struggling(0.7)
    assert not rules.struggling(None)  # nothing evaluated yet


def test_a_weak_point_remembers_repeated_lows() -> None:
    assert not rules.weak_point([])
    assert rules.weak_point([0.9, 0.3])  # struggling now
    assert not rules.weak_point([0.3, 0.9])  # one low, then better
    assert rules.weak_point([0.3, 0.2, 0.9])  # low twice: still weak after a better answer
    assert rules.repeatedly_low([0.1, 0.4]) and not rules.repeatedly_low([0.1])


def _progress(last: float | None) -> ConceptProgress:
    return ConceptProgress(last_confidence=last, attempts=0 if last is None else 1)


def _practised(history: list[float]) -> Practised:
    return Practised(concept_id=uuid.uuid4(), confidences=history)


def _reviewer_weak(history: list[float]) -> bool:
    item = ReviewedConcept(title="Mean", confidences=history, gaps=[], minutes=1.0)
    out = offline_reviewer.review(ReviewerInput([item], period="session"))
    return bool(out.weak_points)


@settings(max_examples=200, deadline=None)
@given(confidences)
def test_every_reader_agrees_with_the_rules(history: list[float]) -> None:
    practised = _practised(history)
    assert practised.is_weak() == rules.weak_point(history) == _reviewer_weak(history)
    assert practised.low_evaluations == len(rules.lows(history))
    last = history[-1] if history else None
    assert progress_service.is_weak(_progress(last)) == rules.struggling(last)


def test_moving_the_line_moves_every_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    history = [0.55, 0.58, 0.9]  # not low at 0.5; low twice once the line is at 0.6
    assert not _reviewer_weak(history) and not _practised(history).is_weak()
    assert not progress_service.is_weak(_progress(0.55))
    monkeypatch.setattr(rules, "LOW_BELOW", 0.6)
    assert _reviewer_weak(history)
    assert _practised(history).is_weak()
    assert _practised(history).low_evaluations == 2
    assert progress_service.is_weak(_progress(0.55))
    item = ReviewedConcept(title="Mean", confidences=[0.55], gaps=[], minutes=1.0)
    assert offline_reviewer.due_in_days(item) <= 1  # a low last answer: reviewed today or tomorrow
