"""The review schedule, weak points and the weekly report."""

from __future__ import annotations

from typing import Any

from learningos.auth.deps import CurrentUser
from learningos.deps import ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.review import service
from learningos.review.schemas import ScheduleOut, SummaryOut, WeeklyOut

router = api_router("/api/v1", ["review"])


@router.get("/review/summary", response_model=SummaryOut)
async def review_summary(user: CurrentUser, session: SessionDep, services: ServicesDep) -> Any:
    """What is due today, tomorrow and this week, weak points, and the last session's summary."""
    return await service.summary(session, user, services)


@router.get("/review/weekly", response_model=WeeklyOut)
async def review_weekly(user: CurrentUser, session: SessionDep, services: ServicesDep) -> Any:
    """The last seven days in figures, with the Reviewer's weekly report."""
    return await service.weekly(session, user, services)


@router.get("/review/schedule", response_model=ScheduleOut)
async def review_schedule(user: CurrentUser, session: SessionDep) -> Any:
    """Concepts due for review by calendar day in the learner's time zone."""
    return await service.schedule(session, user)
