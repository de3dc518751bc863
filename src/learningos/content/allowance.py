"""Processing minutes per learner per day.

What a learner's materials cost to process is the time their processing jobs ran: from a
job's start to its end (or to now while it runs), counted within the learner's calendar day
(their own time zone). Once the day's minutes are used, a new upload or a re-process answers
429 with Retry-After until the day rolls over; a job already running finishes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.config import Settings
from learningos.jobs.repository import JobRepository
from learningos.kit.clock import day_start, learner_zone, local_day
from learningos.kit.db import utcnow
from learningos.kit.errors import RateLimited
from learningos.models.jobs import JobName
from learningos.models.user import User


def _day_bounds(now: datetime, user: User) -> tuple[datetime, datetime]:
    """The start of the learner's current day and of the next one."""
    tz = learner_zone(user)
    today = local_day(now, tz)
    return day_start(today, tz), day_start(today + timedelta(days=1), tz)


async def processing_seconds_today(
    session: AsyncSession, user: User, now: datetime | None = None
) -> float:
    """How long the learner's processing jobs have run today."""
    now = now or utcnow()
    start, _ = _day_bounds(now, user)
    return await JobRepository(session).run_seconds(
        JobName.CONTENT_PROCESS, user.id, since=start, now=now
    )


async def check_processing_allowance(
    session: AsyncSession, settings: Settings, user: User, now: datetime | None = None
) -> None:
    """Raise RateLimited (Retry-After: until the learner's next day) when today's processing
    minutes are used up."""
    now = now or utcnow()
    limit = settings.processing_minutes_per_user
    used = await processing_seconds_today(session, user, now)
    if used < limit * 60:
        return
    _, following = _day_bounds(now, user)
    wait = max(1, int((following - now).total_seconds()) + 1)
    hours, minutes = divmod(-(-wait // 60), 60)
    when = f"{hours} h {minutes} min" if hours else f"{minutes} min"
    error = RateLimited(
        retry_after=wait,
        message=(
            f"You have used today's {limit} minutes of processing time. New uploads and "
            f"re-processing are possible again when your day ends, in {when} (at midnight in "
            "your time zone)."
        ),
    )
    error.details.update(limit_minutes=limit, used_minutes=round(used / 60, 1))
    raise error
