"""Jobs of the webhook inbox: process one event; queue the waiting ones that are due."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from learningos.jobs.registry import JobContext, job
from learningos.models.jobs import JobName
from learningos.webhooks import service

if TYPE_CHECKING:
    from learningos.services import Services


@job(JobName.WEBHOOKS_PROCESS)
async def process_event(ctx: JobContext) -> None:
    """Run the event's handler (its outcome is recorded on the event, not on the job)."""
    event_id = uuid.UUID(ctx.job.payload["event_id"])
    await service.process(ctx.session, ctx.services.settings, event_id)


async def retry_waiting(services: Services) -> int:
    """The timer's work: re-queue waiting events whose backoff has passed."""
    async with services.db.transaction() as session:
        return await service.retry_due(session, services)
