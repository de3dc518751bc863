"""The job queue: enqueued after commit, retried with backoff, state readable by the app."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import select

from learningos.jobs.registry import PermanentJobError, job
from learningos.models.jobs import Job
from tests.conftest import bearer, eventually, register, signed_in

CALLS: dict[str, int] = {}


@job("test.flaky", max_attempts=3)
async def flaky(ctx) -> None:  # type: ignore[no-untyped-def]
    key = ctx.job.payload["key"]
    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] < ctx.job.payload["succeed_on"]:
        raise RuntimeError(f"temporary failure {CALLS[key]}")


@job("test.permanent")
async def permanent(ctx) -> None:  # type: ignore[no-untyped-def]
    CALLS["permanent"] = CALLS.get("permanent", 0) + 1
    raise PermanentJobError("the input can never be processed")


async def job_row(services, job_id: uuid.UUID) -> Job:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        row = await session.get(Job, job_id)
        assert row is not None
        return row


async def finished(services, job_id):  # type: ignore[no-untyped-def]
    row = await job_row(services, job_id)
    return row if row.status in ("done", "failed") else None


@pytest.fixture
def embedded_only(services):  # type: ignore[no-untyped-def]
    if services.settings.redis_url:
        pytest.skip("in-process job execution; the Redis run covers the worker test below")


async def test_welcome_email_is_sent_by_a_job_after_commit(client, services, embedded_only):
    response = await register(client)
    assert response.status_code == 201
    async with services.db.transaction() as session:
        rows = (await session.scalars(select(Job).where(Job.name == "auth.welcome_email"))).all()
    assert len(rows) == 1
    row = await eventually(lambda: finished(services, rows[0].id))
    assert row.status == "done" and row.attempts == 1
    files = list(services.settings.outbox_dir.glob("*.eml"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: ann@example.com" in text and "Subject: Welcome to Learning OS" in text


async def test_a_rolled_back_transaction_sends_no_job(services, embedded_only):
    with pytest.raises(RuntimeError):
        async with services.db.transaction() as session:
            await services.queue.enqueue(session, "test.flaky", {"key": "rb", "succeed_on": 1})
            raise RuntimeError("the request failed")
    await asyncio.sleep(0.2)
    assert "rb" not in CALLS
    async with services.db.transaction() as session:
        assert (await session.scalars(select(Job))).all() == []


async def test_failures_are_retried_with_backoff_then_succeed(services, embedded_only):
    async with services.db.transaction() as session:
        row = await services.queue.enqueue(session, "test.flaky", {"key": "retry", "succeed_on": 3})
    done = await eventually(lambda: finished(services, row.id))
    assert done.status == "done" and done.attempts == 3 and CALLS["retry"] == 3
    assert done.error is None


async def test_exhausted_retries_fail_with_the_reason(services, embedded_only):
    async with services.db.transaction() as session:
        row = await services.queue.enqueue(
            session, "test.flaky", {"key": "never", "succeed_on": 99}
        )
    failed = await eventually(lambda: finished(services, row.id))
    assert failed.status == "failed" and failed.attempts == 3
    assert failed.error == "temporary failure 3"
    assert failed.finished_at is not None


async def test_permanent_errors_are_not_retried(services, embedded_only):
    async with services.db.transaction() as session:
        row = await services.queue.enqueue(session, "test.permanent", {})
    failed = await eventually(lambda: finished(services, row.id))
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.error == "the input can never be processed"


async def test_unknown_job_names_are_refused(services):
    async with services.db.transaction() as session:
        with pytest.raises(KeyError):
            await services.queue.enqueue(session, "no.such.job", {})


async def test_job_state_is_readable_by_its_owner_only(client, services):
    tokens = await signed_in(client)
    async with services.db.transaction() as session:
        row = (await session.scalars(select(Job))).one()
    mine = await client.get(f"/api/v1/jobs/{row.id}", headers=bearer(tokens))
    assert mine.status_code == 200
    assert mine.json()["name"] == "auth.welcome_email"
    assert mine.json()["status"] in ("queued", "running", "done")
    other = await signed_in(client, email="bob@example.com")
    theirs = await client.get(f"/api/v1/jobs/{row.id}", headers=bearer(other))
    assert theirs.status_code == 404


async def test_redis_worker_process_runs_jobs(client, services, settings):
    """Production mode: a real `learningos worker` process consumes the Redis stream."""
    if not services.settings.redis_url:
        pytest.skip("needs LEARNINGOS_TEST_REDIS_URL (the production CI run sets it)")
    env = {
        **os.environ,
        "LEARNINGOS_DATABASE_URL": settings.resolved_database_url,
        "LEARNINGOS_REDIS_URL": settings.redis_url,
        "LEARNINGOS_DATA_DIR": str(settings.data_dir / "worker"),
        "LEARNINGOS_ENV": "test",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "learningos.cli", "worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert (await register(client)).status_code == 201
        async with services.db.transaction() as session:
            row = (await session.scalars(select(Job))).one()
        done = await eventually(lambda: finished(services, row.id), timeout=30)
        assert done.status == "done"
        files = list((settings.data_dir / "worker" / "outbox").glob("*.eml"))
        assert len(files) == 1
    finally:
        worker.terminate()
        out, _ = worker.communicate(timeout=90)
    assert b"worker.started" in out


async def test_job_log_lines_carry_the_enqueuing_request_id(
    client, services, embedded_only, captured_logs
):
    response = await register(client)
    async with services.db.transaction() as session:
        row = (await session.scalars(select(Job))).one()
    await eventually(lambda: finished(services, row.id))
    assert row.request_id == response.headers["x-request-id"]
    done = next(line for line in captured_logs() if line["event"] == "job.done")
    assert done["request_id"] == row.request_id and done["job_id"] == str(row.id)
    assert done["job"] == "auth.welcome_email"
