from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from learningos.ai.schemas import ReviewerOutput


class ScheduledConceptOut(BaseModel):
    concept_id: uuid.UUID
    concept_title: str
    content_id: uuid.UUID
    content_title: str
    due_at: datetime
    last_confidence: float | None


class DueCountsOut(BaseModel):
    overdue_or_today: int
    tomorrow: int
    this_week: int


class ScheduleOut(BaseModel):
    """Concepts due by calendar day in the learner's time zone, soonest first."""

    timezone: str
    overdue_or_today: list[ScheduledConceptOut]
    tomorrow: list[ScheduledConceptOut]
    this_week: list[ScheduledConceptOut]  # after tomorrow, within 7 days of today
    counts: DueCountsOut


class WeakPointOut(BaseModel):
    concept_id: uuid.UUID
    concept_title: str
    content_id: uuid.UUID | None
    content_title: str
    last_confidence: float | None
    low_evaluations: int  # low evaluations (progress.rules.is_low)
    gaps: list[str]


class LatestSessionOut(BaseModel):
    id: uuid.UUID
    content_id: uuid.UUID | None
    concept_id: uuid.UUID | None
    mode: str
    completed_at: datetime | None
    summary: dict[str, Any] | None  # the Reviewer's summary stored on completion


class SummaryOut(BaseModel):
    schedule: ScheduleOut
    weak_points: list[WeakPointOut]
    latest_session: LatestSessionOut | None


class PractisedConceptOut(BaseModel):
    concept_id: uuid.UUID
    concept_title: str
    content_id: uuid.UUID | None
    content_title: str
    minutes: float
    evaluations: int
    first_confidence: float | None
    last_confidence: float | None
    change: float | None  # last minus first confidence of the week


class WeeklyOut(BaseModel):
    timezone: str
    first_day: date
    last_day: date  # today in the learner's time zone
    sessions_completed: int
    minutes: int
    concepts_practised: int
    concepts: list[PractisedConceptOut]
    average_confidence_change: float | None  # over concepts evaluated at least twice
    weak_areas: list[WeakPointOut]
    due: ScheduleOut
    report: ReviewerOutput
    engine: str | None  # None when there was nothing to review (no AI call)
