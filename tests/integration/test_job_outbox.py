"""The jobs table as the queue's outbox: leases, the dispatcher, deadlines, stale retries.

These run the real queue on whichever database the pass provides (SQLite embedded,
PostgreSQL in the production pass). Jobs are started with `queue.run` (what the worker's
task does on each delivery) so both passes run them in this process.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from taskiq import InMemoryBroker

from learningos.auth.repository import UserRepository
from learningos.content import service as content_service
from learningos.jobs.queue import JobQueue, _due
from learningos.jobs.registry import job
from learningos.kit.db import utcnow
from learningos.kit.requestmeta import RequestMeta
from learningos.models.content import Content
from learningos.models.jobs import Job
from tests.conftest import bearer, eventually, signed_in
from tests.integration.test_content import NOTES, processed
from tests.integration.test_jobs import finished, job_row

RUNS: dict[str, int] = {}


@job("test.slow", max_attempts=3)
async def slow(ctx) -> None:  # type: ignore[no-untyped-def]
    key = ctx.job.payload["key"]
    RUNS[key] = RUNS.get(key, 0) + 1
    await asyncio.sleep(ctx.job.payload.get("seconds", 0.3))


@job("test.overrun", max_attempts=2, deadline_seconds=0.2)
async def overrun(ctx) -> None:  # type: ignore[no-untyped-def]
    RUNS["overrun"] = RUNS.get("overrun", 0) + 1
    await asyncio.sleep(30)


@job("test.stuck", max_attempts=2, deadline_seconds=0.2)
async def stuck(ctx) -> None:  # type: ignore[no-untyped-def]
    """The first attempt blocks in a thread, where the deadline cannot cancel it."""
    RUNS["stuck"] = RUNS.get("stuck", 0) + 1
    if RUNS["stuck"] == 1:
        await blocking_sleep(6)


async def blocking_sleep(seconds: float) -> None:
    """Sleep in a thread and, like a worker thread that cannot be abandoned, let a
    cancellation through only once the thread has finished."""
    thread = asyncio.get_running_loop().run_in_executor(None, time.sleep, seconds)
    cancelled = False
    while not thread.done():
        try:
            await asyncio.shield(thread)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError


@job("test.stolen", max_attempts=1)
async def stolen(ctx) -> None:  # type: ignore[no-untyped-def]
    """Another worker takes the job while this one runs (as if this one had frozen)."""
    async with ctx.services.db.transaction() as session:
        await session.execute(
            update(Job).where(Job.id == ctx.job.id).values(lease_owner="another-worker:1")
        )


async def unsent(services, name: str, **payload: object) -> uuid.UUID:  # type: ignore[no-untyped-def]
    """A committed job whose message never left (the web process died after the commit)."""
    async with services.db.transaction() as session:
        row = await services.queue.enqueue(session, name, payload)
        services.queue.discard_pending(session)
    return row.id


async def set_job(services, job_id: uuid.UUID, **values: object) -> None:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        await session.execute(update(Job).where(Job.id == job_id).values(**values))


def ago(seconds: float):  # type: ignore[no-untyped-def]
    return utcnow() - timedelta(seconds=seconds)


async def test_the_dispatcher_resends_a_job_whose_message_was_lost(services):
    job_id = await unsent(services, "test.slow", key="lost", seconds=0)
    assert await services.queue.dispatch_stale() == 0, "not before the dispatch delay"
    await set_job(services, job_id, created_at=ago(60))
    sent: list[str] = []
    original = services.queue.send

    async def record(jid):  # type: ignore[no-untyped-def]
        sent.append(str(jid))
        await original(jid)

    services.queue.send = record
    try:
        assert await services.queue.dispatch_stale() == 1
        assert await services.queue.dispatch_stale() == 0, "one re-send per wait"
    finally:
        services.queue.send = original
    assert sent == [str(job_id)]
    row = await job_row(services, job_id)
    assert row.dispatched_at is not None and row.dispatched_at > ago(5)
    if not services.settings.redis_url:  # the in-process broker runs what was sent
        done = await eventually(lambda: finished(services, job_id))
        assert done.status == "done" and RUNS["lost"] == 1


def test_a_waiting_job_is_resent_after_waits_that_double() -> None:
    now = utcnow()
    delay = timedelta(seconds=30)

    class Row:
        def __init__(self, status: str, created: float, dispatched: float | None) -> None:
            self.status = status
            self.created_at = now - timedelta(seconds=created)
            self.dispatched_at = None if dispatched is None else now - timedelta(seconds=dispatched)

    assert _due(Row("queued", 31, None), now, delay)
    assert not _due(Row("queued", 100, 40), now, delay), "waited 60 s before the last send"
    assert _due(Row("queued", 100, 50), now, delay)
    assert _due(Row("running", 100, 1), now, delay), "its worker died: at once"


async def test_deliveries_of_the_same_job_run_it_once(services):
    job_id = await unsent(services, "test.slow", key="twice", seconds=0.3)
    await asyncio.gather(*(services.queue.run(job_id) for _ in range(3)))
    row = await job_row(services, job_id)
    assert row.status == "done" and row.attempts == 1 and RUNS["twice"] == 1
    assert row.lease_owner is None and row.lease_until is None
    await services.queue.run(job_id)
    assert RUNS["twice"] == 1, "a finished job is not run again"


async def test_a_job_held_by_a_live_lease_is_neither_run_nor_resent(services):
    job_id = await unsent(services, "test.slow", key="held", seconds=0)
    lease = utcnow() + timedelta(seconds=60)
    await set_job(services, job_id, created_at=ago(120), lease_owner="w:1", lease_until=lease)
    await services.queue.run(job_id)
    assert "held" not in RUNS
    assert await services.queue.dispatch_stale() == 0


async def test_the_heartbeat_keeps_a_long_job_from_being_taken(services):
    queue = JobQueue(InMemoryBroker(), services.db, services, lease_seconds=1.5)
    job_id = await unsent(services, "test.slow", key="long", seconds=5.0)
    first = asyncio.create_task(queue.run(job_id))
    await asyncio.sleep(3.5)  # more than twice the lease
    row = await job_row(services, job_id)
    assert row.status == "running" and row.lease_until is not None and row.lease_until > utcnow()
    await services.queue.run(job_id)  # a second delivery while the first runs
    await first
    row = await job_row(services, job_id)
    assert row.status == "done" and row.attempts == 1 and RUNS["long"] == 1


async def test_a_job_whose_worker_died_is_taken_again_with_the_attempt_counted(services):
    job_id = await unsent(services, "test.slow", key="died", seconds=0)
    await set_job(
        services,
        job_id,
        status="running",
        attempts=1,
        created_at=ago(120),
        lease_owner="dead:1",
        lease_until=ago(1),
    )
    await services.queue.run(job_id)
    row = await job_row(services, job_id)
    assert row.status == "done" and row.attempts == 2 and RUNS["died"] == 1


async def test_a_dead_workers_last_attempt_fails_the_job_with_a_reason(services):
    job_id = await unsent(services, "test.slow", key="last", seconds=0)
    await set_job(services, job_id, status="running", attempts=3, lease_until=ago(1))
    await services.queue.run(job_id)
    row = await job_row(services, job_id)
    assert row.status == "failed" and "stopped before it finished" in (row.error or "")
    assert "last" not in RUNS


async def test_an_attempt_past_its_deadline_fails_and_is_retried(services):
    job_id = await unsent(services, "test.overrun")
    async with asyncio.timeout(10):
        await services.queue.run(job_id)
    row = await job_row(services, job_id)
    assert row.status == "failed" and row.attempts == 2 and RUNS["overrun"] == 2
    assert row.error == "The job took longer than its 0.2 s deadline."


async def test_a_stuck_attempt_past_its_deadline_lets_another_worker_take_the_job(services):
    stuck_worker = JobQueue(InMemoryBroker(), services.db, services, lease_seconds=0.3)
    job_id = await unsent(services, "test.stuck")
    first = asyncio.create_task(stuck_worker.run(job_id))

    async def lapsed() -> bool:  # past the deadline and a lease, its heartbeat stopped
        row = await job_row(services, job_id)
        return row.lease_until is not None and row.lease_until < utcnow()

    await eventually(lapsed, timeout=5)
    assert not first.done(), "the stuck attempt still runs"
    await services.queue.run(job_id)  # the dispatcher's re-send reaches another worker
    row = await job_row(services, job_id)
    assert row.status == "done" and row.attempts == 2 and RUNS["stuck"] == 2
    await first  # the stuck thread ends; its outcome is not written over the other's
    row = await job_row(services, job_id)
    assert row.status == "done" and row.error is None


async def test_a_worker_whose_lease_was_taken_writes_no_outcome(services):
    job_id = await unsent(services, "test.stolen")
    await services.queue.run(job_id)
    row = await job_row(services, job_id)
    assert row.status == "running" and row.lease_owner == "another-worker:1"


async def lost_upload(services, tmp_path: Path):  # type: ignore[no-untyped-def]
    """An upload committed with its job, whose message never left (the process died)."""
    source = tmp_path / "notes.md"
    source.write_bytes(NOTES)
    async with services.db.transaction() as session:
        user = await UserRepository(session).get_by_email("ann@example.com")
        assert user is not None
        uploaded = await content_service.upload(
            session,
            services,
            user,
            path=source,
            filename="notes.md",
            title=None,
            description=None,
            meta=RequestMeta(),
        )
        services.queue.discard_pending(session)
    assert uploaded.job is not None
    return uploaded.content.id, uploaded.job.id


async def test_try_again_replaces_a_stale_processing_job(client, services, tmp_path: Path):
    tokens = await signed_in(client)
    content_id, old_job = await lost_upload(services, tmp_path)
    retry = f"/api/v1/content/{content_id}/retry"
    fresh = await client.post(retry, headers=bearer(tokens))
    assert fresh.status_code == 409, "its message may still be on the way"
    await set_job(services, old_job, created_at=ago(120))
    response = await client.post(retry, headers=bearer(tokens))
    assert response.status_code == 202, response.text
    replaced = await job_row(services, old_job)
    assert replaced.status == "failed" and replaced.error == "Replaced by a new attempt."
    status = await processed(client, services, tokens, str(content_id))
    assert status["status"] == "ready"
    await services.queue.run(old_job)  # the lost message turns up after all
    async with services.db.transaction() as session:
        content = await session.get(Content, content_id)
        assert content is not None and content.status == "ready"
    assert (await job_row(services, old_job)).status == "failed"


async def test_try_again_still_refuses_while_a_worker_holds_the_job(
    client, services, tmp_path: Path
):
    tokens = await signed_in(client)
    content_id, job_id = await lost_upload(services, tmp_path)
    lease = utcnow() + timedelta(seconds=60)
    await set_job(
        services,
        job_id,
        status="running",
        created_at=ago(120),
        lease_owner="w:1",
        lease_until=lease,
    )
    refused = await client.post(f"/api/v1/content/{content_id}/retry", headers=bearer(tokens))
    assert refused.status_code == 409


async def test_the_embedded_server_runs_the_dispatcher_itself(tmp_path: Path):
    """Embedded mode: `learningos serve`'s own process re-sends a lost job on its timer."""
    import anyio
    from asgi_lifespan import LifespanManager

    from learningos.app import create_app
    from learningos.kit.migrate import upgrade
    from tests.conftest import make_settings

    url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.db'}"
    await anyio.to_thread.run_sync(upgrade, url)
    settings = make_settings(
        tmp_path,
        url,
        None,
        job_dispatch_interval_seconds=0.2,
        job_dispatch_delay_seconds=0.5,
    )
    app = create_app(settings)
    # Stopping waits for the embedding model's warm-up, which a loaded machine makes slow.
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=120):
        services = app.state.services
        job_id = await unsent(services, "test.slow", key="embedded", seconds=0)
        done = await eventually(lambda: finished(services, job_id), timeout=20)
    assert done.status == "done" and RUNS["embedded"] == 1
