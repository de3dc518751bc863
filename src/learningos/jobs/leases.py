"""Job leases: which process runs a job, held by its heartbeat.

A worker takes a job by setting `lease_owner` and `lease_until` in one conditional UPDATE
(only if the job is unfinished and nobody holds a live lease), renews the lease while the
job runs, and writes the job's outcome only while the lease is still its own. A second
delivery of the same message, or a re-send by the dispatcher, therefore finds the lease
taken and does nothing: each job runs once in effect, however often its message arrives.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import utcnow
from learningos.models.jobs import Job, JobStatus

UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class LeaseLost(Exception):
    """Another worker took the job (this one's lease expired); its outcome is not written."""


@dataclass(frozen=True)
class Claim:
    token: str
    name: str
    status: str  # the status before the claim: "running" means a holder stopped mid-attempt
    attempts: int
    max_attempts: int
    request_id: str | None


def free(now: datetime) -> Any:
    """Nobody holds the job: no lease, or one whose heartbeat stopped."""
    return or_(Job.lease_until.is_(None), Job.lease_until < now)


async def claim(
    session: AsyncSession, job_id: uuid.UUID, owner: str, seconds: float
) -> Claim | None:
    """Take the job if it is unfinished and free; None if it is done or held by another."""
    now = utcnow()
    token = f"{owner}:{uuid.uuid4().hex[:12]}"[-64:]
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(UNFINISHED), free(now))
        .values(lease_owner=token, lease_until=now + timedelta(seconds=seconds))
        .returning(Job.name, Job.status, Job.attempts, Job.max_attempts, Job.request_id)
        .execution_options(synchronize_session=False)
    )
    row = result.one_or_none()
    if row is None:
        return None
    return Claim(token, row.name, row.status, row.attempts, row.max_attempts, row.request_id)


async def write(session: AsyncSession, job_id: uuid.UUID, token: str, **values: Any) -> None:
    """Update the job while this lease holds it, or raise LeaseLost (the caller rolls back)."""
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.lease_owner == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise LeaseLost(str(job_id))


async def renew(session: AsyncSession, job_id: uuid.UUID, token: str, seconds: float) -> None:
    await write(session, job_id, token, lease_until=utcnow() + timedelta(seconds=seconds))


async def release_free(session: AsyncSession, job_id: uuid.UUID, **values: Any) -> bool:
    """Finish a job nobody holds (e.g. one a retry replaces); False if a worker holds it."""
    now = utcnow()
    result = await session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status.in_(UNFINISHED), free(now))
        .values(lease_owner=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
