from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, utcnow


class AIRole(StrEnum):
    """The AI roles: who wrote an interaction of a session, and who an AI call was for."""

    PLANNER = "planner"
    TUTOR = "tutor"
    EXAMINER = "examiner"
    COACH = "coach"
    REVIEWER = "reviewer"
    NOTES = "notes"


class AIUsage(IdMixin, Base):
    """One call to a provider (or the offline engine) by an AI role: tokens, cost, latency and
    whether it answered. Budgets and prompt analytics read these rows."""

    __tablename__ = "ai_usage"
    __table_args__ = (Index("ix_ai_usage_user_created", "user_id", "created_at"),)

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL"), index=True
    )
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contents.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[str] = mapped_column(String(16), index=True)  # an AIRole
    provider: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(80))
    prompt_id: Mapped[str | None] = mapped_column(String(80), index=True)
    prompt_version: Mapped[int | None]
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(12, 6), default=Decimal(0))
    latency_ms: Mapped[int] = mapped_column(default=0)
    ok: Mapped[bool] = mapped_column(default=True)
    error: Mapped[str | None] = mapped_column(Text)  # why this attempt did not answer
    fallback: Mapped[bool] = mapped_column(default=False)  # answered after an earlier one failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
