"""The webhook inbox: every verified provider event, stored raw under a unique key."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, one_of, utcnow


class PaymentProvider(StrEnum):
    LEMON_SQUEEZY = "lemon_squeezy"
    PADDLE = "paddle"


class WebhookStatus(StrEnum):
    RECEIVED = "received"  # stored, its processing job queued
    PROCESSED = "processed"  # its handler ran and committed
    WAITING = "waiting"  # its handler said NotReady (out of order): retried later
    FAILED = "failed"  # its handler raised, or it stayed not ready past the retry limit
    IGNORED = "ignored"  # no handler for this event name


class WebhookEvent(IdMixin, Base):
    __tablename__ = "webhook_events"
    __table_args__ = (one_of("provider", PaymentProvider), one_of("status", WebhookStatus))

    provider: Mapped[str] = mapped_column(String(32), index=True)  # a PaymentProvider
    event_name: Mapped[str] = mapped_column(String(100), index=True)
    # Paddle: its event_id; Lemon Squeezy: event name + resource id + updated_at.
    unique_key: Mapped[str] = mapped_column(String(300), unique=True)
    body: Mapped[str] = mapped_column(Text)  # the raw body, exactly as signed
    status: Mapped[str] = mapped_column(
        String(16), default=WebhookStatus.RECEIVED.value, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # When a waiting event is due for its next try.
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    processed_at: Mapped[datetime | None]
