"""`learningos webhooks replay ID`: re-run one stored event now, in this process."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from learningos.kit.requestmeta import RequestMeta
from learningos.webhooks import service
from learningos.webhooks.repository import WebhookRepository

if TYPE_CHECKING:
    from learningos.services import Services


async def replay_now(services: Services, event_id: uuid.UUID) -> tuple[str, str | None]:
    """Reset the event (audited as a re-run from the command line) and process it in the
    same transaction; its status and error afterwards."""
    meta = RequestMeta(ip="cli", user_agent="learningos webhooks replay")
    async with services.db.transaction() as session:
        await service.reset_for_rerun(session, event_id, meta, user_id=None)
        await service.process(session, services.settings, event_id)
    async with services.db.transaction() as session:
        event = await WebhookRepository(session).get(event_id)
        assert event is not None
        return event.status, event.error
