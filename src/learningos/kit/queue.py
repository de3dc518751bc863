"""Background jobs: durable state in the `jobs` table, transport through Taskiq.

Embedded mode uses Taskiq's in-process broker; production uses a Redis stream
broker consumed by `learningos worker` processes. A job is enqueued inside a
transaction (a `jobs` row) and sent to the broker only after that transaction
commits. Each attempt runs in its own transaction; failures are retried with
exponential backoff (tenacity) and the final reason is stored on the row.
"""

from __future__ import annotations

import asyncio
import traceback
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import RedisStreamBroker
from tenacity import (
    AsyncRetrying,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from learningos.kit.db import Database, utcnow
from learningos.kit.logging import get_logger
from learningos.models.jobs import Job, JobStatus

if TYPE_CHECKING:
    from learningos.services import Services

log = get_logger(__name__)
PENDING_KEY = "learningos.pending_jobs"
TASK_NAME = "learningos.run_job"


class PermanentJobError(Exception):
    """A failure that retrying cannot fix; the job fails at once with this message."""


@dataclass
class JobContext:
    job: Job
    session: AsyncSession
    services: Services


JobHandler = Callable[[JobContext], Awaitable[None]]
FailureHandler = Callable[[JobContext, Exception], Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: JobHandler
    max_attempts: int | None
    on_failure: FailureHandler | None


_REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str, max_attempts: int | None = None, on_failure: FailureHandler | None = None
) -> Callable[[JobHandler], JobHandler]:
    """Register a job handler under a dotted name (e.g. `auth.welcome_email`).

    `on_failure(ctx, exc)` runs in its own transaction once the job has failed for good,
    so the domain can record the failure where people see it."""

    def register(fn: JobHandler) -> JobHandler:
        _REGISTRY[name] = JobSpec(name, fn, max_attempts, on_failure)
        return fn

    return register


def make_broker(redis_url: str | None) -> AsyncBroker:
    if redis_url:
        # consumer_id "0": a consumer group created after jobs were queued still gets them.
        return RedisStreamBroker(
            url=redis_url, queue_name="learningos:jobs", consumer_id="0", maxlen=100_000
        )
    return InMemoryBroker(max_async_tasks=64)


class JobQueue:
    def __init__(
        self,
        broker: AsyncBroker,
        db: Database,
        services: Services,
        *,
        max_attempts: int = 5,
        backoff_seconds: float = 1.0,
        backoff_max_seconds: float = 300.0,
    ) -> None:
        self.broker = broker
        self.db = db
        self.services = services
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds

        async def run_job(job_id: str) -> None:
            await self._execute(job_id)

        self._task = broker.register_task(run_job, task_name=TASK_NAME)
        self._inflight: set[asyncio.Task[Any]] = set()

    # -- enqueueing ------------------------------------------------------------------
    async def enqueue(
        self,
        session: AsyncSession,
        name: str,
        payload: dict[str, Any] | None = None,
        *,
        user_id: uuid.UUID | None = None,
    ) -> Job:
        """Record a job in the caller's transaction; it is sent once that commits."""
        if name not in _REGISTRY:
            raise KeyError(f"unknown job {name!r}")
        spec = _REGISTRY[name]
        row = Job(
            name=name,
            payload=payload or {},
            user_id=user_id,
            max_attempts=spec.max_attempts or self.max_attempts,
            request_id=structlog.contextvars.get_contextvars().get("request_id"),
        )
        session.add(row)
        await session.flush()
        session.info.setdefault(PENDING_KEY, []).append(row.id)
        return row

    async def dispatch_pending(self, session: AsyncSession) -> None:
        for job_id in session.info.pop(PENDING_KEY, []):
            await self.send(job_id)

    def discard_pending(self, session: AsyncSession) -> None:
        session.info.pop(PENDING_KEY, None)

    async def send(self, job_id: uuid.UUID) -> None:
        await self._task.kiq(str(job_id))

    async def recover(self) -> int:
        """Re-send jobs an in-process broker lost when the process stopped."""
        async with self.db.transaction() as session:
            ids = list(
                await session.scalars(
                    select(Job.id).where(
                        Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
                    )
                )
            )
        for job_id in ids:
            await self.send(job_id)
        return len(ids)

    # -- running ---------------------------------------------------------------------
    async def _execute(self, job_id: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._inflight.add(task)
        try:
            await self.run(uuid.UUID(job_id))
        finally:
            if task is not None:
                self._inflight.discard(task)

    async def run(self, job_id: uuid.UUID) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Job, job_id)
            if row is None or row.status in (JobStatus.DONE.value, JobStatus.FAILED.value):
                return
            remaining = max(1, row.max_attempts - row.attempts)
            context = {"job_id": str(job_id), "job": row.name, "request_id": row.request_id}
        with structlog.contextvars.bound_contextvars(**context):
            await self._run_attempts(job_id, remaining)

    async def _run_attempts(self, job_id: uuid.UUID, remaining: int) -> None:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(remaining),
            wait=wait_exponential_jitter(
                multiplier=self.backoff_seconds,
                max=self.backoff_max_seconds,
                jitter=self.backoff_seconds,
            ),
            retry=retry_if_not_exception_type(PermanentJobError),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._attempt(job_id)
        except Exception as exc:  # noqa: BLE001 - the reason is stored, not swallowed
            await self._finish_failed(job_id, exc)

    async def _attempt(self, job_id: uuid.UUID) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Job, job_id)
            assert row is not None
            row.status = JobStatus.RUNNING.value
            row.attempts += 1
            row.started_at = row.started_at or utcnow()
        bound = log.bind(attempt=row.attempts)
        bound.info("job.started")
        try:
            async with self.db.transaction() as session:
                row = await session.get(Job, job_id)
                assert row is not None
                await _REGISTRY[row.name].handler(JobContext(row, session, self.services))
                row.status = JobStatus.DONE.value
                row.error = None
                row.progress = 100
                row.finished_at = utcnow()
        except Exception as exc:
            bound.warning("job.attempt_failed", error=_reason(exc))
            async with self.db.transaction() as session:
                row = await session.get(Job, job_id)
                assert row is not None
                row.error = _reason(exc)
                row.status = JobStatus.QUEUED.value
            raise
        bound.info("job.done")

    async def _finish_failed(self, job_id: uuid.UUID, exc: Exception) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Job, job_id)
            if row is None:
                return
            row.status = JobStatus.FAILED.value
            row.error = _reason(exc)
            row.finished_at = utcnow()
        spec = _REGISTRY.get(row.name)
        if spec is not None and spec.on_failure is not None:
            async with self.db.transaction() as session:
                fresh = await session.get(Job, job_id)
                assert fresh is not None
                await spec.on_failure(JobContext(fresh, session, self.services), exc)
        log.error(
            "job.failed",
            error=_reason(exc),
            trace="".join(traceback.format_exception(exc))[-2000:],
        )

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for in-process jobs to finish (embedded mode, tests, shutdown)."""
        async with asyncio.timeout(timeout):
            while self._inflight:
                await asyncio.gather(*list(self._inflight), return_exceptions=True)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text[:2000]
