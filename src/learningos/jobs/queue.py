"""Background jobs: durable state in the `jobs` table, transport through Taskiq.

Embedded mode uses Taskiq's in-process broker; production uses a Redis stream
broker consumed by `learningos worker` processes. A job is enqueued inside a
transaction (a `jobs` row) and sent to the broker only after that transaction
commits. The row is the outbox: a dispatcher re-sends jobs whose message was lost
(`dispatch_stale`), and a job runs only under its lease (jobs/leases.py), so a
message delivered twice runs it once. Each attempt runs in its own transaction
under a deadline; failures are retried with exponential backoff (tenacity) and
the final reason is stored on the row.
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from taskiq import AsyncBroker, InMemoryBroker
from tenacity import (
    AsyncRetrying,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from learningos.jobs import leases
from learningos.jobs.leases import UNFINISHED
from learningos.jobs.registry import JobContext, PermanentJobError, find
from learningos.kit.db import Database, utcnow
from learningos.kit.logging import get_logger
from learningos.kit.stream import ReclaimingStreamBroker
from learningos.models.jobs import Job, JobStatus

if TYPE_CHECKING:
    from learningos.services import Services

log = get_logger(__name__)
PENDING_KEY = "learningos.pending_jobs"
TASK_NAME = "learningos.run_job"


class JobTimedOut(Exception):
    """An attempt ran past the job's deadline (retried like any other failure)."""


class JobAbandoned(Exception):
    """The worker running the job's last attempt stopped before it finished."""


@dataclass
class _Run:
    """One run of a job under a claim: its attempts so far and the current one's start."""

    job_id: uuid.UUID
    claim: leases.Claim
    deadline: float
    attempts: int
    attempt_started: float | None = None


def record_job(
    session: AsyncSession,
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    user_id: uuid.UUID | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Record a job in the caller's transaction, to be sent once it commits (the database's
    after-commit hook dispatches it). For code that holds a session but not the queue, such
    as a webhook handler; `JobQueue.enqueue` is the same with the queue's defaults."""
    spec = find(name)
    if spec is None:
        raise KeyError(
            f"unknown job {name!r}: no loaded tasks module registers it"
            " (jobs/modules.py lists them; the entry point calls load_task_modules())"
        )
    row = Job(
        id=uuid.uuid4(),
        name=name,
        payload=payload or {},
        user_id=user_id,
        max_attempts=spec.max_attempts or max_attempts or 5,
        request_id=structlog.contextvars.get_contextvars().get("request_id"),
    )
    session.add(row)
    session.info.setdefault(PENDING_KEY, []).append(row.id)
    return row


def make_broker(redis_url: str | None, reclaim_seconds: float = 60.0) -> AsyncBroker:
    if redis_url:
        # consumer_id "0": a consumer group created after jobs were queued still gets them.
        return ReclaimingStreamBroker(
            redis_url,
            reclaim_seconds=reclaim_seconds,
            queue_name="learningos:jobs",
            consumer_id="0",
            maxlen=100_000,
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
        lease_seconds: float = 45.0,
        deadline_seconds: float = 1800.0,
        dispatch_delay_seconds: float = 30.0,
    ) -> None:
        self.broker = broker
        self.db = db
        self.services = services
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.backoff_max_seconds = backoff_max_seconds
        self.lease_seconds = lease_seconds
        self.deadline_seconds = deadline_seconds
        self.dispatch_delay_seconds = dispatch_delay_seconds
        # Lease tokens name the process that holds a job (read in the jobs table).
        self.owner = f"{socket.gethostname()[:32]}:{os.getpid()}"

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
        row = record_job(session, name, payload, user_id=user_id, max_attempts=self.max_attempts)
        await session.flush()
        return row

    async def dispatch_pending(self, session: AsyncSession) -> None:
        for job_id in session.info.pop(PENDING_KEY, []):
            try:
                await self.send(job_id)
            except Exception as exc:  # noqa: BLE001 - the row is committed: the dispatcher re-sends
                log.warning("job.send_failed", job_id=str(job_id), error=_reason(exc))

    def discard_pending(self, session: AsyncSession) -> None:
        session.info.pop(PENDING_KEY, None)

    async def send(self, job_id: uuid.UUID) -> None:
        await self._task.kiq(str(job_id))

    async def recover(self) -> int:
        """Re-send the jobs an in-process broker lost when the process stopped (embedded mode:
        this process is the only runner, so the leases the last one left are void)."""
        async with self.db.transaction() as session:
            ids = list(await session.scalars(select(Job.id).where(Job.status.in_(UNFINISHED))))
            await session.execute(
                update(Job)
                .where(Job.status.in_(UNFINISHED))
                .values(lease_owner=None, lease_until=None)
            )
        for job_id in ids:
            await self.send(job_id)
        return len(ids)

    # -- the outbox ------------------------------------------------------------------
    async def dispatch_stale(self, limit: int = 500) -> int:
        """Re-send the jobs nobody took: queued ones whose message was sent longer than the
        dispatch delay ago (lost when the web process died, or trimmed from the stream), and
        running ones whose worker stopped heartbeating. A queued job is re-sent after waits
        that double (a long backlog is not flooded with copies); copies are harmless, as a
        job runs only under its lease."""
        now = utcnow()
        delay = timedelta(seconds=self.dispatch_delay_seconds)
        async with self.db.transaction() as session:
            query = (
                select(Job.id, Job.status, Job.created_at, Job.dispatched_at)
                .where(
                    Job.status.in_(UNFINISHED),
                    leases.free(now),
                    func.coalesce(Job.dispatched_at, Job.created_at) <= now - delay,
                )
                .order_by(Job.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            due = [r.id for r in (await session.execute(query)).all() if _due(r, now, delay)]
            if due:
                await session.execute(update(Job).where(Job.id.in_(due)).values(dispatched_at=now))
        for job_id in due:
            await self.send(job_id)
        if due:
            log.info("jobs.dispatched_stale", count=len(due))
        return len(due)

    def is_stale(self, job: Job) -> bool:
        """Nobody runs the job and its message has had time to arrive (or its worker died)."""
        now = utcnow()
        if job.status not in UNFINISHED or not (job.lease_until is None or job.lease_until < now):
            return False
        sent = job.dispatched_at or job.created_at
        delay = timedelta(seconds=self.dispatch_delay_seconds)
        return job.status == JobStatus.RUNNING.value or sent <= now - delay

    async def supersede(self, session: AsyncSession, job: Job) -> bool:
        """Close a stale job so that a new one can take its place (a learner's "Try again");
        False if the job is not stale or a worker took it meanwhile."""
        if not self.is_stale(job):
            return False
        return await leases.release_free(
            session,
            job.id,
            status=JobStatus.FAILED.value,
            error="Replaced by a new attempt.",
            finished_at=utcnow(),
        )

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
        """Run the job if nobody else holds it; each attempt in its own transaction."""
        async with self.db.transaction() as session:
            claim = await leases.claim(session, job_id, self.owner, self.lease_seconds)
        if claim is None:
            log.info("job.skipped", job_id=str(job_id), reason="finished or held by a worker")
            return
        context = {"job_id": str(job_id), "job": claim.name, "request_id": claim.request_id}
        spec = find(claim.name)
        deadline = (spec.deadline_seconds if spec else None) or self.deadline_seconds
        state = _Run(job_id, claim, deadline, attempts=claim.attempts)
        with structlog.contextvars.bound_contextvars(**context):
            beat = asyncio.create_task(self._heartbeat(state))
            try:
                if claim.status == JobStatus.RUNNING.value and not await self._abandoned(state):
                    return
                await self._run_attempts(state)
            except leases.LeaseLost:
                log.warning("job.lease_lost", reason="another worker took the job")
            finally:
                beat.cancel()
                await asyncio.gather(beat, return_exceptions=True)

    async def _abandoned(self, state: _Run) -> bool:
        """The last holder stopped mid-attempt (its process died): that attempt failed.
        True if attempts remain."""
        claim = state.claim
        message = "The worker running this job stopped before it finished."
        log.warning("job.reclaimed", attempts=claim.attempts, max_attempts=claim.max_attempts)
        if claim.attempts >= claim.max_attempts:
            await self._finish_failed(state, JobAbandoned(message))
            return False
        async with self.db.transaction() as session:
            await leases.write(
                session, state.job_id, claim.token, status=JobStatus.QUEUED.value, error=message
            )
        return True

    async def _run_attempts(self, state: _Run) -> None:
        remaining = max(1, state.claim.max_attempts - state.attempts)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(remaining),
            wait=wait_exponential_jitter(
                multiplier=self.backoff_seconds,
                max=self.backoff_max_seconds,
                jitter=self.backoff_seconds,
            ),
            retry=retry_if_not_exception_type((PermanentJobError, leases.LeaseLost)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._attempt(state)
        except leases.LeaseLost:
            raise
        except Exception as exc:  # noqa: BLE001 - the reason is stored, not swallowed
            await self._finish_failed(state, exc)

    async def _attempt(self, state: _Run) -> None:
        job_id, token = state.job_id, state.claim.token
        async with self.db.transaction() as session:
            await leases.write(
                session,
                job_id,
                token,
                status=JobStatus.RUNNING.value,
                attempts=Job.attempts + 1,
                started_at=func.coalesce(Job.started_at, utcnow()),
            )
        state.attempts += 1
        bound = log.bind(attempt=state.attempts)
        bound.info("job.started")
        state.attempt_started = time.monotonic()
        try:
            async with self.db.transaction() as session:
                row = await session.get(Job, job_id)
                assert row is not None
                await self._handle(JobContext(row, session, self.services), state.deadline)
                await leases.write(
                    session,
                    job_id,
                    token,
                    status=JobStatus.DONE.value,
                    error=None,
                    progress=100,
                    finished_at=utcnow(),
                    lease_owner=None,
                    lease_until=None,
                )
        except leases.LeaseLost:
            raise
        except Exception as exc:
            bound.warning("job.attempt_failed", error=_reason(exc))
            async with self.db.transaction() as session:
                await leases.write(
                    session, job_id, token, error=_reason(exc), status=JobStatus.QUEUED.value
                )
            raise
        finally:
            state.attempt_started = None
        bound.info("job.done")

    async def _handle(self, ctx: JobContext, deadline: float) -> None:
        timer = asyncio.timeout(deadline)
        try:
            async with timer:
                spec = find(ctx.job.name)
                if spec is None:
                    raise KeyError(f"unknown job {ctx.job.name!r}")
                await spec.handler(ctx)
        except TimeoutError as exc:
            if timer.expired():
                raise JobTimedOut(f"The job took longer than its {deadline:g} s deadline.") from exc
            raise

    async def _heartbeat(self, state: _Run) -> None:
        """Renew the lease while the job runs; stop once an attempt overruns its deadline by a
        lease (its code is stuck where cancelling cannot reach), so another worker takes it."""
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            started = state.attempt_started
            if (
                started is not None
                and time.monotonic() - started > state.deadline + self.lease_seconds
            ):
                log.warning("job.heartbeat_stopped", reason="the attempt overran its deadline")
                return
            try:
                async with self.db.transaction() as session:
                    await leases.renew(session, state.job_id, state.claim.token, self.lease_seconds)
            except leases.LeaseLost:
                return
            except Exception as exc:  # noqa: BLE001 - the next beat tries again
                log.warning("job.heartbeat_failed", error=_reason(exc))

    async def _finish_failed(self, state: _Run, exc: Exception) -> None:
        job_id = state.job_id
        try:
            async with self.db.transaction() as session:
                await leases.write(
                    session,
                    job_id,
                    state.claim.token,
                    status=JobStatus.FAILED.value,
                    error=_reason(exc),
                    finished_at=utcnow(),
                    lease_owner=None,
                    lease_until=None,
                )
        except leases.LeaseLost:
            log.warning("job.lease_lost", reason="another worker took the job")
            return
        spec = find(state.claim.name)
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


def _due(row: Any, now: datetime, delay: timedelta) -> bool:
    if row.status == JobStatus.RUNNING.value:  # its worker stopped heartbeating
        return True
    sent = row.dispatched_at or row.created_at
    return now - sent >= max(delay, sent - row.created_at)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text[:2000]
