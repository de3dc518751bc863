"""The webhook inbox end to end: signatures over the raw body (each provider), an event
stored once under its unique key (also 20 deliveries at once), its job queued after commit,
the handler run once in the job's transaction, out-of-order events retried, failures
recorded, the admin page and the replay command. SQLite, and PostgreSQL + Redis with the
test URLs set."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import anyio
import pytest
from sqlalchemy import func, select

from learningos.kit.audit import AuditEvent
from learningos.kit.db import utcnow
from learningos.ledger import accounts
from learningos.ledger.service import Entry, balance, post
from learningos.models.jobs import Job, JobName, JobStatus
from learningos.models.ledger import LedgerKind, LedgerTransaction
from learningos.models.webhooks import PaymentProvider, WebhookEvent, WebhookStatus
from learningos.webhooks import service
from learningos.webhooks.registry import NotReady, handles, unregister
from learningos.webhooks.replay import replay_now
from tests.conftest import eventually, signed_in
from tests.fakes.webhooks import (
    LEMON_SQUEEZY_PATH,
    PADDLE_PATH,
    lemon_squeezy_body,
    lemon_squeezy_headers,
    paddle_body,
    paddle_headers,
    use_test_secrets,
)
from tests.integration.test_account import make_admin
from tests.integration.test_pages import csrf_of, html, sign_in_page

LS_EVENT = "test_order_created"
PADDLE_EVENT = "test.transaction_completed"


class Behaviour:
    """What the test handlers do: count their runs, say NotReady `not_ready` times, raise."""

    def __init__(self) -> None:
        self.runs = 0
        self.not_ready = 0
        self.error: Exception | None = None


@pytest.fixture
async def handler(monkeypatch, services) -> AsyncIterator[Behaviour]:  # type: ignore[no-untyped-def]
    use_test_secrets(monkeypatch, services.settings)
    monkeypatch.setattr(services.settings, "webhook_retry_base_seconds", 0.0)
    behaviour = Behaviour()

    async def apply(session, event, payload) -> None:  # type: ignore[no-untyped-def]
        behaviour.runs += 1
        # The handler's writes: a ledger posting keyed by the event (idempotent on re-runs).
        await post(
            session,
            key=f"test:{event.unique_key}",
            kind=LedgerKind.SALE,
            entries=[
                Entry(accounts.processor_clearing(event.provider), -1000),
                Entry(accounts.platform_revenue(), 1000),
            ],
            ref_type="webhook_event",
            ref_id=event.id,
        )
        if behaviour.not_ready > 0:
            behaviour.not_ready -= 1
            raise NotReady("the order has not arrived yet")
        if behaviour.error is not None:
            raise behaviour.error

    handles(PaymentProvider.LEMON_SQUEEZY, LS_EVENT)(apply)
    handles(PaymentProvider.PADDLE, PADDLE_EVENT)(apply)
    yield behaviour
    unregister(PaymentProvider.LEMON_SQUEEZY, LS_EVENT)
    unregister(PaymentProvider.PADDLE, PADDLE_EVENT)


async def settle(services) -> None:  # type: ignore[no-untyped-def]
    """Run every queued processing job, as a worker would, until none is unfinished (an
    in-process one may be running already: then wait for it)."""

    async def unfinished() -> list[uuid.UUID]:
        async with services.db.transaction() as session:
            query = select(Job.id).where(
                Job.name == JobName.WEBHOOKS_PROCESS,
                Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
            )
            return list(await session.scalars(query))

    async def finished() -> bool:
        if not services.settings.redis_url:
            await services.queue.wait_idle(timeout=10)
        for job_id in await unfinished():
            await services.queue.run(job_id)
        return not await unfinished()

    await eventually(finished)


async def counts(services) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """(events, processing jobs, ledger transactions)."""
    async with services.db.transaction() as session:
        events = await session.scalar(select(func.count()).select_from(WebhookEvent))
        jobs = await session.scalar(
            select(func.count()).select_from(Job).where(Job.name == JobName.WEBHOOKS_PROCESS)
        )
        ledger = await session.scalar(select(func.count()).select_from(LedgerTransaction))
        return int(events or 0), int(jobs or 0), int(ledger or 0)


async def only_event(services) -> WebhookEvent:  # type: ignore[no-untyped-def]
    async with services.db.transaction() as session:
        return (await session.scalars(select(WebhookEvent))).one()


def ls_delivery() -> tuple[bytes, dict[str, str]]:
    body = lemon_squeezy_body(LS_EVENT, resource_id="1001", updated_at="2026-12-04T10:00:00Z")
    return body, lemon_squeezy_headers(body)


def paddle_delivery() -> tuple[bytes, dict[str, str]]:
    body = paddle_body(PADDLE_EVENT, event_id="evt_01test")
    return body, paddle_headers(body)


DELIVERIES = {
    "lemon_squeezy": (LEMON_SQUEEZY_PATH, ls_delivery),
    "paddle": (PADDLE_PATH, paddle_delivery),
}


@pytest.mark.parametrize("provider", ["lemon_squeezy", "paddle"])
async def test_a_valid_event_is_stored_processed_once_and_a_replay_changes_nothing(
    client, services, handler, provider
):
    path, make = DELIVERIES[provider]
    body, headers = make()
    response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "duplicate": False}
    await settle(services)
    event = await only_event(services)
    assert (event.provider, event.status, event.attempts) == (provider, "processed", 1)
    assert event.body == body.decode() and event.processed_at is not None
    assert handler.runs == 1
    assert await counts(services) == (1, 1, 1)
    # The same delivery again (a provider retry): 200, nothing new, no second job.
    again = await client.post(path, content=body, headers=headers)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    await settle(services)
    assert await counts(services) == (1, 1, 1) and handler.runs == 1


def _bad_ls() -> list[tuple[str, bytes, dict[str, str]]]:
    body, headers = ls_delivery()
    forged = {
        **headers,
        "X-Signature": lemon_squeezy_headers(body, secret="not-the-secret")["X-Signature"],
    }
    tampered = body.replace(b"1001", b"1002")
    missing = {k: v for k, v in headers.items() if k != "X-Signature"}
    return [("forged", body, forged), ("tampered", tampered, headers), ("missing", body, missing)]


def _bad_paddle() -> list[tuple[str, bytes, dict[str, str]]]:
    body, headers = paddle_delivery()
    stale = paddle_headers(body, ts=int(time.time()) - 600)
    forged = paddle_headers(body, secret="pdl_ntfset_wrong")
    missing = {"Content-Type": "application/json"}
    unknown_key = {**headers, "Paddle-Signature": headers["Paddle-Signature"] + ";v9=x"}
    return [
        ("stale", body, stale),
        ("forged", body, forged),
        ("missing", body, missing),
        ("unknown key", body, unknown_key),
        ("tampered", body.replace(b"evt_01test", b"evt_01evil"), headers),
    ]


@pytest.mark.parametrize("provider", ["lemon_squeezy", "paddle"])
async def test_forged_missing_or_stale_signatures_answer_401_and_store_nothing(
    client, services, handler, provider
):
    path = DELIVERIES[provider][0]
    for label, body, headers in _bad_ls() if provider == "lemon_squeezy" else _bad_paddle():
        response = await client.post(path, content=body, headers=headers)
        assert response.status_code == 401, (label, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_signature" and error["request_id"], label
    assert await counts(services) == (0, 0, 0) and handler.runs == 0


async def test_without_a_configured_secret_every_delivery_is_refused(client, services, monkeypatch):
    monkeypatch.setattr(services.settings, "lemonsqueezy_webhook_secret", None)
    monkeypatch.setattr(services.settings, "paddle_webhook_secret", None)
    for path, make in DELIVERIES.values():
        body, headers = make()
        assert (await client.post(path, content=body, headers=headers)).status_code == 401
    assert await counts(services) == (0, 0, 0)


@pytest.mark.parametrize("provider", ["lemon_squeezy", "paddle"])
async def test_a_signed_body_that_is_not_an_event_answers_400_and_stores_nothing(
    client, services, handler, provider
):
    path = DELIVERIES[provider][0]
    sign = lemon_squeezy_headers if provider == "lemon_squeezy" else paddle_headers
    for body in (b"{not json", b"[]", b'{"meta": {"event_name": "x"}}', b'{"event_id": 5}'):
        headers = sign(body, event_name="x") if provider == "lemon_squeezy" else sign(body)  # type: ignore[operator]
        response = await client.post(path, content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "malformed_event"
    assert await counts(services) == (0, 0, 0)


async def test_twenty_concurrent_deliveries_make_one_event_one_job_one_run(
    client, services, handler
):
    body, headers = paddle_delivery()
    responses = await asyncio.gather(
        *[client.post(PADDLE_PATH, content=body, headers=headers) for _ in range(20)]
    )
    assert [r.status_code for r in responses] == [200] * 20
    assert sum(not r.json()["duplicate"] for r in responses) == 1
    await settle(services)
    assert await counts(services) == (1, 1, 1)
    assert handler.runs == 1
    assert (await only_event(services)).status == WebhookStatus.PROCESSED


async def test_an_event_that_is_not_ready_waits_and_is_retried(client, services, handler):
    handler.not_ready = 1  # a refund that arrives before its order
    body, headers = ls_delivery()
    assert (await client.post(LEMON_SQUEEZY_PATH, content=body, headers=headers)).status_code == 200
    await settle(services)
    event = await only_event(services)
    assert event.status == WebhookStatus.WAITING and event.attempts == 1
    assert event.error == "the order has not arrived yet" and event.next_attempt_at is not None
    assert (await counts(services))[2] == 0  # the handler's writes were rolled back
    async with services.db.transaction() as session:
        assert await service.retry_due(session, services, now=utcnow() - timedelta(hours=1)) == 0
    from learningos.webhooks.tasks import retry_waiting

    assert await retry_waiting(services) == 1
    await settle(services)
    event = await only_event(services)
    assert (event.status, event.attempts, event.error) == ("processed", 2, None)
    assert handler.runs == 2
    assert await counts(services) == (1, 2, 1)
    async with services.db.transaction() as session:
        assert await balance(session, accounts.platform_revenue()) == 1000


async def test_an_event_never_ready_fails_after_the_retry_limit(
    client, services, handler, monkeypatch
):
    monkeypatch.setattr(services.settings, "webhook_max_attempts", 2)
    handler.not_ready = 5
    body, headers = ls_delivery()
    await client.post(LEMON_SQUEEZY_PATH, content=body, headers=headers)
    await settle(services)
    from learningos.webhooks.tasks import retry_waiting

    assert await retry_waiting(services) == 1
    await settle(services)
    event = await only_event(services)
    assert event.status == WebhookStatus.FAILED and event.attempts == 2
    assert event.error is not None and event.error.startswith("Still not ready after 2 tries")
    assert await retry_waiting(services) == 0


async def test_a_failing_handler_records_its_error_and_writes_nothing(client, services, handler):
    handler.error = RuntimeError("amount mismatch: 999 != 1000")
    body, headers = paddle_delivery()
    assert (await client.post(PADDLE_PATH, content=body, headers=headers)).status_code == 200
    await settle(services)
    event = await only_event(services)
    assert event.status == WebhookStatus.FAILED
    assert event.error == "RuntimeError: amount mismatch: 999 != 1000"
    assert (await counts(services))[2] == 0


async def test_an_event_without_a_handler_is_ignored(client, services, handler):
    body = lemon_squeezy_body("subscription_paused", resource_id="7")
    await client.post(LEMON_SQUEEZY_PATH, content=body, headers=lemon_squeezy_headers(body))
    await settle(services)
    event = await only_event(services)
    assert event.status == WebhookStatus.IGNORED and handler.runs == 0


async def test_the_admin_page_lists_events_and_reruns_one(app, client, services, handler):
    handler.error = RuntimeError("boom")
    body, headers = ls_delivery()
    await client.post(LEMON_SQUEEZY_PATH, content=body, headers=headers)
    await settle(services)
    event = await only_event(services)
    # Signed out: sent to sign in.
    response = await client.get("/admin/webhooks")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    # A learner who is not an admin: 403, and the re-run is refused too.
    await signed_in(client, "bea@example.com")
    assert (await sign_in_page(client, "bea@example.com")).status_code == 303
    page = await client.get("/admin/webhooks")
    assert page.status_code == 403
    token = client.cookies["lo_csrf"]
    refused = await client.post(f"/admin/webhooks/{event.id}/rerun", data={"csrf_token": token})
    assert refused.status_code == 403
    # An admin sees the event, its status and its error, and re-runs it.
    client.cookies.clear()
    await signed_in(client, "root@example.com")
    await make_admin(services, "root@example.com")
    assert (await sign_in_page(client, "root@example.com")).status_code == 303
    page = await client.get("/admin/webhooks")
    assert page.status_code == 200
    doc = html(page)
    row = doc.css_first(f'tr[data-event="{event.id}"]')
    assert row is not None and row.attributes["data-status"] == "failed"
    assert "RuntimeError: boom" in row.css_first("[data-error]").text()
    assert (
        html(await client.get("/admin/webhooks?status=processed")).css_first("tr[data-event]")
        is None
    )
    # An htmx request gets the fragment only.
    fragment = await client.get("/admin/webhooks", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    # Without the CSRF token: refused.
    assert (await client.post(f"/admin/webhooks/{event.id}/rerun")).status_code == 403
    handler.error = None
    rerun = await client.post(
        f"/admin/webhooks/{event.id}/rerun", data={"csrf_token": csrf_of(doc)}
    )
    assert rerun.status_code == 303
    await settle(services)
    event = await only_event(services)
    assert event.status == WebhookStatus.PROCESSED and event.error is None
    async with services.db.transaction() as session:
        audit = (
            await session.scalars(select(AuditEvent).where(AuditEvent.event == "webhooks.rerun"))
        ).one()
        assert (
            audit.details["event_id"] == str(event.id)
            and audit.details["previous_status"] == "failed"
        )
    missing = await client.post(
        f"/admin/webhooks/{uuid.uuid4()}/rerun", data={"csrf_token": csrf_of(doc)}
    )
    assert missing.status_code == 404


async def test_replay_reruns_a_processed_event_and_changes_nothing(client, services, handler):
    body, headers = paddle_delivery()
    await client.post(PADDLE_PATH, content=body, headers=headers)
    await settle(services)
    event = await only_event(services)
    assert await replay_now(services, event.id) == ("processed", None)
    assert handler.runs == 2  # the handler ran again ...
    assert await counts(services) == (1, 1, 1)  # ... and its idempotent posting added nothing
    async with services.db.transaction() as session:
        assert await balance(session, accounts.platform_revenue()) == 1000
        rows = await session.scalars(select(AuditEvent).where(AuditEvent.event == "webhooks.rerun"))
        assert len(list(rows)) == 1


async def test_the_replay_command(tmp_path):
    """`learningos webhooks replay ID` against a database of its own: a stored event with
    no handler is ignored; an unknown id exits 1; a malformed one 2."""
    import sqlite3

    from learningos.kit.migrate import upgrade
    from tests.integration.test_cli import run

    await anyio.to_thread.run_sync(upgrade, f"sqlite+aiosqlite:///{tmp_path / 'learningos.db'}")

    event_id = uuid.uuid4()
    with sqlite3.connect(tmp_path / "learningos.db") as db:
        db.execute(
            "INSERT INTO webhook_events (id, provider, event_name, unique_key, body, status,"
            " attempts, received_at) VALUES (?, 'paddle', 'nobody.handles', 'paddle:evt_cli',"
            " '{}', 'failed', 1, '2026-12-04 10:00:00.000000')",
            (event_id.hex,),
        )
    result = run(["webhooks", "replay", str(event_id)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Event {event_id}: ignored" in result.stdout
    with sqlite3.connect(tmp_path / "learningos.db") as db:
        assert db.execute("SELECT status FROM webhook_events").fetchone() == ("ignored",)
        assert db.execute(
            "SELECT count(*) FROM audit_events WHERE event = 'webhooks.rerun'"
        ).fetchone() == (1,)
    assert run(["webhooks", "replay", str(uuid.uuid4())], tmp_path).returncode == 1
    assert run(["webhooks", "replay", "not-an-id"], tmp_path).returncode == 2
