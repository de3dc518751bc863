from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from pydantic import BaseModel


class ConceptProgressOut(BaseModel):
    concept_id: uuid.UUID
    title: str
    order: int
    status: str  # not_started | in_progress | completed
    attempts: int
    last_confidence: float | None
    confidence_history: list[dict[str, Any]]  # [{"at", "confidence", "session_id"}]
    gaps: list[Any]
    time_spent_seconds: int


class WeakAreaOut(BaseModel):
    concept_id: uuid.UUID
    title: str
    content_id: uuid.UUID
    content_title: str
    last_confidence: float | None
    gaps: list[Any]


class MasteredOut(BaseModel):
    concept_id: uuid.UUID
    title: str
    content_id: uuid.UUID
    content_title: str
    last_confidence: float | None


class ContentProgressOut(BaseModel):
    content_id: uuid.UUID
    title: str
    total_concepts: int
    completed: int
    in_progress: int
    percent: int
    average_confidence: float | None
    time_spent_seconds: int
    weak_areas: list[WeakAreaOut]
    mastered: list[MasteredOut]
    concepts: list[ConceptProgressOut]


class ConfidenceDayOut(BaseModel):
    day: date
    average_confidence: float
    evaluations: int


class ReviewScheduleOut(BaseModel):
    due_today: int  # overdue included
    due_tomorrow: int
    due_this_week: int  # the next seven days, today included


class ContentRowOut(BaseModel):
    content_id: uuid.UUID
    title: str
    total_concepts: int
    completed: int
    percent: int
    average_confidence: float | None


class SummaryOut(BaseModel):
    timezone: str
    today: date
    has_activity: bool  # any progress or interaction yet
    concepts_mastered: int
    concepts_completed: int
    concepts_in_progress: int
    average_confidence: float | None
    time_spent_seconds: int
    streak_days: int
    active_today: bool
    confidence_over_time: list[ConfidenceDayOut]
    review_schedule: ReviewScheduleOut
    weak_areas: list[WeakAreaOut]
    mastered: list[MasteredOut]
    contents: list[ContentRowOut]
