"""The inbox's rules: store a verified event once, process it in a job, re-run on demand.

Receiving only stores the raw event under its unique key and enqueues the processing job
(sent once the request's transaction commits), so the endpoint answers at once and a
duplicate delivery stores nothing and queues nothing. Processing runs the registered
handler inside a savepoint of the job's transaction: its writes commit together with the
event's new status, or are rolled back and the error recorded on the event.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.config import Settings
from learningos.kit.audit import audit
from learningos.kit.db import utcnow
from learningos.kit.errors import NotFound
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta
from learningos.models.jobs import JobName
from learningos.models.webhooks import PaymentProvider, WebhookEvent, WebhookStatus
from learningos.webhooks.modules import load_handler_modules
from learningos.webhooks.registry import NotReady, find_handler
from learningos.webhooks.repository import WebhookRepository

if TYPE_CHECKING:
    from learningos.services import Services

log = get_logger(__name__)
MAX_ERROR = 2000
MAX_BACKOFF_SECONDS = 3600.0
# Processing has nothing left to do for these (a re-run resets the event first).
SETTLED = frozenset({WebhookStatus.PROCESSED, WebhookStatus.FAILED, WebhookStatus.IGNORED})


async def receive(
    session: AsyncSession,
    services: Services,
    provider: PaymentProvider,
    event_name: str,
    unique_key: str,
    body: bytes,
) -> bool:
    """Store the event and queue its processing; False (nothing stored, nothing queued)
    when the same event was stored before."""
    event_id = await WebhookRepository(session).insert_if_new(
        provider, event_name, unique_key, body.decode("utf-8")
    )
    if event_id is None:
        log.info("webhooks.duplicate", provider=provider.value, event_name=event_name)
        return False
    await services.queue.enqueue(session, JobName.WEBHOOKS_PROCESS, {"event_id": str(event_id)})
    log.info("webhooks.received", provider=provider.value, event_name=event_name)
    return True


def backoff(settings: Settings, attempts: int) -> timedelta:
    seconds = settings.webhook_retry_base_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


async def process(
    session: AsyncSession, settings: Settings, event_id: uuid.UUID
) -> WebhookStatus | None:
    """Run the event's handler once, in the caller's transaction; the event's new status
    (None: no such event). A settled event is left as it is (a duplicate job)."""
    load_handler_modules()
    repo = WebhookRepository(session)
    event = await repo.lock(event_id)
    if event is None:
        return None
    status = WebhookStatus(event.status)
    if status in SETTLED:
        return status
    name, body = event.event_name, event.body  # read before the handler can expire them
    handler = find_handler(event.provider, name)
    now = utcnow()
    if handler is None:
        await repo.set_state(event_id, status=WebhookStatus.IGNORED.value, processed_at=now)
        return WebhookStatus.IGNORED
    attempts = event.attempts + 1
    await repo.set_state(event_id, attempts=attempts)
    error: str | None = None
    next_status = WebhookStatus.PROCESSED
    try:
        payload = json.loads(body)
        async with session.begin_nested():
            await handler(session, event, payload)
    except NotReady as exc:
        error = str(exc) or "Not ready yet."
        if attempts >= settings.webhook_max_attempts:
            next_status = WebhookStatus.FAILED
            error = f"Still not ready after {attempts} tries: {error}"
        else:
            next_status = WebhookStatus.WAITING
    except Exception as exc:  # noqa: BLE001 - recorded on the event, shown to admins
        next_status = WebhookStatus.FAILED
        error = f"{type(exc).__name__}: {exc}"
    values: dict[str, object] = {"status": next_status.value, "error": error}
    if next_status == WebhookStatus.WAITING:
        values["next_attempt_at"] = now + backoff(settings, attempts)
    else:
        values["next_attempt_at"] = None
        values["processed_at"] = utcnow()
    if error is not None:
        values["error"] = error[:MAX_ERROR]
    await repo.set_state(event_id, **values)
    log.info(
        "webhooks.processed",
        event_id=str(event_id),
        event_name=name,
        status=next_status.value,
        attempts=attempts,
        error=error,
    )
    return next_status


async def retry_due(
    session: AsyncSession, services: Services, now: datetime | None = None, limit: int = 200
) -> int:
    """Queue processing again for the waiting events whose next try is due."""
    repo = WebhookRepository(session)
    due = await repo.due(now or utcnow(), limit)
    for event_id in due:
        await repo.set_state(event_id, status=WebhookStatus.RECEIVED.value, next_attempt_at=None)
        await services.queue.enqueue(session, JobName.WEBHOOKS_PROCESS, {"event_id": str(event_id)})
    return len(due)


async def reset_for_rerun(
    session: AsyncSession, event_id: uuid.UUID, meta: RequestMeta, user_id: uuid.UUID | None
) -> WebhookEvent:
    """Make the event processable again (its handler runs again: handlers are idempotent,
    so a re-run of a processed event changes nothing) and write the audit log."""
    repo = WebhookRepository(session)
    event = await repo.lock(event_id)
    if event is None:
        raise NotFound("No such webhook event.")
    previous = event.status
    await repo.set_state(
        event_id,
        status=WebhookStatus.RECEIVED.value,
        error=None,
        next_attempt_at=None,
        attempts=0,
    )
    await audit(
        session,
        "webhooks.rerun",
        meta,
        user_id=user_id,
        event_id=str(event_id),
        provider=event.provider,
        event_name=event.event_name,
        previous_status=previous,
    )
    return event


async def rerun(
    session: AsyncSession,
    services: Services,
    event_id: uuid.UUID,
    meta: RequestMeta,
    user_id: uuid.UUID | None,
) -> None:
    """An admin's "Re-run": reset the event and queue its processing (after commit)."""
    await reset_for_rerun(session, event_id, meta, user_id)
    await services.queue.enqueue(session, JobName.WEBHOOKS_PROCESS, {"event_id": str(event_id)})


async def page(
    session: AsyncSession, status: WebhookStatus | None, limit: int, offset: int
) -> tuple[list[WebhookEvent], int]:
    return await WebhookRepository(session).page(status, limit, offset)
