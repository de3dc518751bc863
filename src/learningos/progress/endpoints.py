"""Progress API: the learner's overall summary and their progress through one content item."""

from __future__ import annotations

import uuid
from typing import Any

from learningos.auth.deps import CurrentUser
from learningos.deps import SessionDep
from learningos.kit.api import api_router
from learningos.progress import service
from learningos.progress.schemas import ContentProgressOut, SummaryOut

router = api_router("/api/v1", ["progress"])


# Registered before /progress/{content_id}, which would otherwise capture "summary".
@router.get("/progress/summary", response_model=SummaryOut)
async def progress_summary(user: CurrentUser, session: SessionDep) -> Any:
    """Concepts mastered, average confidence, time, daily streak (in the learner's time zone),
    confidence over time, review schedule, weak areas vs mastered, and progress per item."""
    return await service.summary(session, user)


@router.get("/progress/{content_id}", response_model=ContentProgressOut)
async def content_progress(content_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Any:
    """Progress through one content item, per concept: status, attempts, confidence history,
    gaps and time spent."""
    return await service.content_progress(session, user, content_id)
