"""Spaced review with FSRS: an examiner's evaluation is a review of the concept's card, and due
dates fall into today / tomorrow / this-week buckets of the learner's own calendar.

The schedule is in days. An evaluation is a deliberate explanation, not a flash-card flip, and
repetition within a session is the coach's job, so there are no minute-long (re)learning steps:
every evaluation schedules the next review at least a day ahead. Fuzzing is off, so the same
history always gives the same schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler
from fsrs.card import CardDict

from learningos.kit.clock import day_start, local_day
from learningos.models.learning import ConceptProgress

BUCKETS = ("overdue_or_today", "tomorrow", "this_week")
WEEK_DAYS = 7

_scheduler: Scheduler | None = None


def scheduler() -> Scheduler:
    """The one FSRS scheduler, created on first use."""
    global _scheduler
    if _scheduler is None:
        _scheduler = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
    return _scheduler


def rating_for(confidence: float, bounds: tuple[float, float, float]) -> Rating:
    """Below bounds[0] Again, below bounds[1] Hard, below bounds[2] Good, otherwise Easy."""
    again, hard, good = bounds
    if confidence < again:
        return Rating.Again
    if confidence < hard:
        return Rating.Hard
    if confidence < good:
        return Rating.Good
    return Rating.Easy


def card_of(progress: ConceptProgress) -> Card | None:
    if not progress.fsrs_card:
        return None
    return Card.from_dict(cast(CardDict, progress.fsrs_card))


def apply_evaluation(
    progress: ConceptProgress,
    confidence: float,
    at: datetime,
    bounds: tuple[float, float, float],
) -> None:
    """Review the concept's card (created on the first evaluation) with the rating the
    confidence earns, and store the card and its next due date on the progress row."""
    moment = as_utc(at)
    card = card_of(progress) or Card(card_id=int(moment.timestamp() * 1000), due=moment)
    card, _ = scheduler().review_card(card, rating_for(confidence, bounds), moment)
    progress.fsrs_card = dict(card.to_dict())
    progress.due_at = card.due


def stability_days(progress: ConceptProgress) -> float | None:
    """Days until recall is expected to fall to 90 %, or None before the first evaluation."""
    card = card_of(progress)
    return card.stability if card else None


def as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime: give the time zone")
    return moment.astimezone(UTC)


def bucket_for(days_ahead: int) -> str | None:
    """The bucket of a due date this many calendar days after today (None: later)."""
    if days_ahead <= 0:
        return "overdue_or_today"
    if days_ahead == 1:
        return "tomorrow"
    if days_ahead <= WEEK_DAYS:
        return "this_week"
    return None


def due_buckets(
    rows: list[ConceptProgress], now: datetime, tz: ZoneInfo
) -> dict[str, list[ConceptProgress]]:
    """The rows due up to a week ahead, by calendar day in the learner's time zone, soonest
    first in each bucket; rows without a due date and rows due later are left out."""
    today = local_day(now, tz)
    buckets: dict[str, list[ConceptProgress]] = {name: [] for name in BUCKETS}
    dated = [(row.due_at, row) for row in rows if row.due_at is not None]
    for due_at, row in sorted(dated, key=lambda pair: pair[0]):
        name = bucket_for((local_day(due_at, tz) - today).days)
        if name:
            buckets[name].append(row)
    return buckets


def horizon(now: datetime, tz: ZoneInfo, days: int = WEEK_DAYS) -> datetime:
    """The start of the learner's calendar day `days + 1` days after today: everything due
    before it is due today or within `days` days."""
    return day_start(local_day(now, tz) + timedelta(days=days + 1), tz)
