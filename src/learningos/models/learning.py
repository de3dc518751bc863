from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, one_of, utcnow


class SessionStatus(StrEnum):
    """A learning session's status (its step in the loop is `state`, see sessions/machine.py)."""

    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"


class SessionMode(StrEnum):
    """Learn: through the map. Review: the concepts of `queue`, in order."""

    LEARN = "learn"
    REVIEW = "review"


class ProgressStatus(StrEnum):
    """A learner's status on one concept."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class AdaptationKind(StrEnum):
    """What a personalisation changed (each is stored with the reason the learner sees)."""

    SLOWER_PACE = "slower_pace"
    OFFER_SKIP = "offer_skip"
    SESSION_LENGTH = "session_length"
    REVIEW_FIRST = "review_first"
    DETOUR = "detour"  # the coach sent the learner to another concept than the map's next
    PREREQUISITE_FIRST = "prerequisite_first"  # a detour: a prerequisite not yet done
    BACK_TO_SKIPPED = "back_to_skipped"  # a detour: back to a concept skipped earlier
    DUE_REVIEW = "due_review"  # a detour: a concept due for review today comes first


class LearningMap(IdMixin, TimestampMixin, Base):
    __tablename__ = "learning_maps"

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    overview: Mapped[str] = mapped_column(Text, default="")
    milestones: Mapped[list[Any]] = mapped_column(default=list)
    total_minutes: Mapped[int] = mapped_column(default=0)
    generated_by: Mapped[str | None] = mapped_column(String(80))
    generated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A regenerated plan waiting for the owner to replace the map with it (or discard it).
    draft: Mapped[dict[str, Any] | None] = mapped_column()


class Concept(IdMixin, TimestampMixin, Base):
    __tablename__ = "concepts"
    __table_args__ = (
        CheckConstraint("difficulty BETWEEN 1 AND 5", name="difficulty"),
        UniqueConstraint("learning_map_id", "order_index"),
    )

    learning_map_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("learning_maps.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    difficulty: Mapped[int] = mapped_column(default=1)
    order_index: Mapped[int]
    estimated_minutes: Mapped[int] = mapped_column(default=10)
    milestone: Mapped[int] = mapped_column(default=0)
    prerequisites: Mapped[list[Any]] = mapped_column(default=list)
    source_sections: Mapped[list[Any]] = mapped_column(default=list)
    page_start: Mapped[int | None]
    page_end: Mapped[int | None]
    # Hidden by the owner: skipped by the map and sessions, kept with its progress and notes.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=false())


class LearningSession(IdMixin, TimestampMixin, Base):
    __tablename__ = "learning_sessions"
    __table_args__ = (
        one_of("status", SessionStatus),
        # One open (active or paused) session per learner and material, also under races.
        Index(
            "uq_learning_sessions_open",
            "user_id",
            "content_id",
            unique=True,
            sqlite_where=text(f"status != '{SessionStatus.COMPLETED}'"),
            postgresql_where=text(f"status != '{SessionStatus.COMPLETED}'"),
        ),
        # "Popular this week": distinct learners per item among recent sessions, from the index.
        Index("ix_learning_sessions_recent", "updated_at", "content_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    concept_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="SET NULL"), index=True
    )
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=SessionStatus.ACTIVE, index=True)
    state: Mapped[str] = mapped_column(String(24), default="init")
    paused_from: Mapped[str | None] = mapped_column(String(24))
    confidence_score: Mapped[float | None]
    time_spent_seconds: Mapped[int] = mapped_column(default=0)
    # Optimistic lock: every update bumps it and fails if another request changed it first.
    version: Mapped[int] = mapped_column(default=1)
    completed_at: Mapped[datetime | None]
    mode: Mapped[str] = mapped_column(
        String(16), default=SessionMode.LEARN, server_default=SessionMode.LEARN
    )
    milestone: Mapped[int | None]  # the milestone this session works through
    queue: Mapped[list[Any] | None] = mapped_column()  # concept ids still to do (review mode)
    practice_task: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[dict[str, Any] | None] = mapped_column()  # the reviewer's, on completion
    last_activity_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}


class Interaction(IdMixin, Base):
    __tablename__ = "interactions"
    __table_args__ = (UniqueConstraint("session_id", "client_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("learning_sessions.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), index=True)  # an AIRole
    concept_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="SET NULL"), index=True
    )
    client_id: Mapped[str | None] = mapped_column(String(64))
    user_input: Mapped[str | None] = mapped_column(Text)
    ai_response: Mapped[str | None] = mapped_column(Text)
    evaluation: Mapped[dict[str, Any] | None] = mapped_column()
    provider: Mapped[str | None] = mapped_column(String(40))
    model: Mapped[str | None] = mapped_column(String(80))
    prompt_id: Mapped[str | None] = mapped_column(String(80))
    prompt_version: Mapped[int | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal(0))
    latency_ms: Mapped[int | None]
    fallback: Mapped[bool] = mapped_column(default=False)
    fallback_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class UserNote(IdMixin, TimestampMixin, Base):
    __tablename__ = "user_notes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # A map regeneration that drops the concept keeps the note: concept_id becomes NULL and
    # the note stays under its content with the title it was written for.
    concept_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="SET NULL"), index=True
    )
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    concept_title: Mapped[str] = mapped_column(String(300), default="", server_default="")
    content: Mapped[str] = mapped_column(Text, default="")
    ai_feedback: Mapped[dict[str, Any] | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)


class NoteVersion(IdMixin, Base):
    """Every saved version of a note, with the AI feedback given on that version."""

    __tablename__ = "note_versions"
    __table_args__ = (UniqueConstraint("note_id", "version"),)

    note_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user_notes.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    content: Mapped[str] = mapped_column(Text, default="")
    ai_feedback: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConceptProgress(IdMixin, TimestampMixin, Base):
    """One learner's state on one concept: status, confidence history, gaps, time, and the
    spaced-repetition card that schedules its reviews."""

    __tablename__ = "concept_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "concept_id"),
        one_of("status", ProgressStatus),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    concept_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), index=True
    )
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=ProgressStatus.NOT_STARTED)
    attempts: Mapped[int] = mapped_column(default=0)
    # [{"at": iso datetime, "confidence": float, "session_id": str}], oldest first.
    confidence_history: Mapped[list[Any]] = mapped_column(default=list)
    last_confidence: Mapped[float | None]
    gaps: Mapped[list[Any]] = mapped_column(default=list)  # the latest evaluation's gaps
    time_spent_seconds: Mapped[int] = mapped_column(default=0)
    fsrs_card: Mapped[dict[str, Any] | None] = mapped_column()  # fsrs.Card.to_dict()
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_at: Mapped[datetime | None]


class Engagement(IdMixin, Base):
    """A learner's engagement with a content item in a month; the subscription revenue pool
    is shared out from these rows."""

    __tablename__ = "engagement"
    __table_args__ = (UniqueConstraint("user_id", "content_id", "month"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-11"
    seconds: Mapped[int] = mapped_column(default=0)
    sessions_completed: Mapped[int] = mapped_column(default=0)
    concept_ids: Mapped[list[Any]] = mapped_column(default=list)  # concepts accessed


class Adaptation(IdMixin, Base):
    """A personalisation the system made, with its reason, shown to the learner."""

    __tablename__ = "adaptations"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    concept_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("concepts.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("learning_sessions.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))  # an AdaptationKind
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
