"""The signed-in learner's account: what the API shows and what it accepts to change."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from learningos.auth.schemas import StrictModel

PACES = ("slow", "normal", "fast")
SESSION_LENGTHS = (15, 30, 45)
DIFFICULTIES = ("adaptive", "fixed")
NOTIFICATIONS = ("email_reminders", "review_reminders", "weekly_summary")

Pace = Literal["slow", "normal", "fast"]
SessionLength = Literal[15, 30, 45]
Difficulty = Literal["adaptive", "fixed"]


@lru_cache
def time_zones() -> frozenset[str]:
    """Every IANA time zone name this system knows."""
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


class LearningPrefs(BaseModel):
    pace: str
    session_minutes: int  # the coach may shorten it during a session, so not only 15/30/45
    auto_review: bool
    difficulty: str


class NotificationPrefs(BaseModel):
    email_reminders: bool  # the master switch: off, no reminder or summary email at all
    review_reminders: bool
    weekly_summary: bool


class AccountOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: str
    tier: str
    avatar_url: str | None
    timezone: str
    learning: LearningPrefs
    notifications: NotificationPrefs
    created_at: datetime


class LearningUpdate(StrictModel):
    pace: Pace | None = None
    session_minutes: SessionLength | None = None
    auto_review: bool | None = None
    difficulty: Difficulty | None = None


class NotificationsUpdate(StrictModel):
    email_reminders: bool | None = None
    review_reminders: bool | None = None
    weekly_summary: bool | None = None


class AccountUpdate(StrictModel):
    """Only the fields sent change; `null` leaves a field as it is."""

    name: str | None = Field(default=None, max_length=120)
    email: str | None = Field(default=None, max_length=320)
    timezone: str | None = Field(default=None, max_length=64)
    learning: LearningUpdate | None = None
    notifications: NotificationsUpdate | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = " ".join(value.split())
        if not value:
            raise ValueError("Enter your name.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("Enter your email address.")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        if value is not None and value not in time_zones():
            raise ValueError("Choose a time zone from the list, like Asia/Phnom_Penh.")
        return value
