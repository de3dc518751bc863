from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, one_of


class Role(StrEnum):
    USER = "user"
    CREATOR = "creator"
    ADMIN = "admin"


class Tier(StrEnum):
    """The learner's AI budget tier (set by the subscription when there is one)."""

    FREE = "free"
    SUBSCRIBER = "subscriber"


def default_preferences() -> dict[str, Any]:
    return {
        "learning_style": "explain",
        "pace": "normal",
        "session_minutes": 30,
        "auto_review": True,
        "difficulty": "adaptive",
        "timezone": "UTC",
        "locale": "en",
        "notifications": {
            "email_reminders": True,
            "review_reminders": True,
            "weekly_summary": True,
        },
    }


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        one_of("role", Role),
        one_of("tier", Tier),
    )

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.USER.value)
    avatar_url: Mapped[str | None] = mapped_column(String(500))
    # The uploaded picture's storage key; avatar_url is the app's URL that serves it.
    avatar_key: Mapped[str | None] = mapped_column(String(300))
    preferences: Mapped[dict[str, Any]] = mapped_column(default=default_preferences)
    is_active: Mapped[bool] = mapped_column(default=True)
    # AI budget tier: free or subscriber (set by the subscription when there is one).
    tier: Mapped[str] = mapped_column(String(16), default=Tier.FREE, server_default=Tier.FREE)
    password_changed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
