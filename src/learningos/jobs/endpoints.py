"""Job state, readable by the job's owner (and admins)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from learningos.auth.deps import CurrentUser
from learningos.deps import SessionDep
from learningos.jobs.repository import JobRepository
from learningos.kit.api import api_router
from learningos.kit.errors import NotFound
from learningos.models.jobs import Job

router = api_router("/api/v1", ["jobs"])


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    status: str
    attempts: int
    max_attempts: int
    progress: int
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    payload: dict[str, Any]


@router.get("/jobs/{job_id}", response_model=JobOut)
async def get_job(job_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Job:
    """A background job's state: queued, running, done, or failed with its reason."""
    job = await JobRepository(session).get_visible(job_id, user)
    if job is None:
        raise NotFound("No such job.")
    return job
