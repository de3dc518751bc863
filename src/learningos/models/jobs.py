from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, one_of


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobName(StrEnum):
    """The background jobs, by the name their handler registers (`@job(...)`) and rows carry."""

    CONTENT_PROCESS = "content.process"
    CONTENT_PURGE = "content.purge"
    LEARNING_GENERATE_MAP = "learning.generate_map"
    AUTH_WELCOME_EMAIL = "auth.welcome_email"
    ACCOUNT_REVIEW_REMINDER = "account.review_reminder"
    ACCOUNT_WEEKLY_SUMMARY = "account.weekly_summary"
    SHARING_INVITATION_EMAIL = "sharing.invitation_email"
    DONATIONS_RECEIVED_EMAIL = "donations.received_email"
    CREATOR_TAKEDOWN_EMAIL = "creator.takedown_email"
    SALES_PURCHASE_EMAIL = "sales.purchase_email"
    LEDGER_RELEASE = "ledger.release"
    WEBHOOKS_PROCESS = "webhooks.process"


class Job(IdMixin, TimestampMixin, Base):
    """A background job's durable state, readable by the app."""

    __tablename__ = "jobs"
    __table_args__ = (one_of("status", JobStatus),)

    name: Mapped[str] = mapped_column(String(100), index=True)  # a JobName
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    error: Mapped[str | None] = mapped_column(Text)
    # The request that enqueued the job, bound to the job's log lines.
    request_id: Mapped[str | None] = mapped_column(String(64))
    progress: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    # The row is the queue's outbox: when its message was last sent (None: at creation), and
    # which worker holds it until when (renewed by that worker's heartbeat while it runs).
    dispatched_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
