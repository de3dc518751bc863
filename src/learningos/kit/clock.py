"""Time on the learner's clock: time spent, streaks, local days and months, the zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class HasPreferences(Protocol):
    """A learner: anything with the preferences dictionary (the User model)."""

    preferences: Any


def time_spent(timestamps: list[datetime], idle_cap: int) -> int:
    """Seconds between consecutive interactions, each gap capped at `idle_cap`: a learner who
    walks away for an hour is counted for `idle_cap` seconds, not for the hour."""
    ordered = sorted(timestamps)
    total = sum(
        min((later - earlier).total_seconds(), idle_cap) for earlier, later in pairwise(ordered)
    )
    return int(total)


def streak(days_active: set[date], today: date) -> int:
    """Consecutive active days ending today, or ending yesterday while today has no activity
    yet (the streak stays alive until the day is over)."""
    day = today if today in days_active else today - timedelta(days=1)
    count = 0
    while day in days_active:
        count += 1
        day -= timedelta(days=1)
    return count


def local_day(at: datetime, tz: ZoneInfo) -> date:
    """The calendar day `at` falls on in the learner's time zone (naive means UTC)."""
    return _aware(at).astimezone(tz).date()


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC moment the learner's calendar day `day` begins in time zone `tz`."""
    return datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)


def month_key(at: datetime, tz: ZoneInfo) -> str:
    """ "YYYY-MM" of the month `at` falls in, in the learner's time zone."""
    return _aware(at).astimezone(tz).strftime("%Y-%m")


def zone(name: object) -> ZoneInfo:
    """The learner's time zone from an IANA name; UTC when it is missing or unknown."""
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def learner_zone(user: HasPreferences) -> ZoneInfo:
    """The learner's own time zone (settings), UTC when unset or unknown: days, streaks,
    reviews due and reminders all follow it."""
    return zone((user.preferences or {}).get("timezone"))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
