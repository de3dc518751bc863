"""Jobs of the ledger: the daily release of pending earnings past the refund window."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import select

from learningos.jobs.registry import JobContext, job
from learningos.kit.db import utcnow
from learningos.kit.logging import get_logger
from learningos.ledger import service
from learningos.models.jobs import Job, JobName

if TYPE_CHECKING:
    from learningos.services import Services

log = get_logger(__name__)


@job(JobName.LEDGER_RELEASE)
async def release(ctx: JobContext) -> None:
    """Release every pending amount whose refund window has passed (idempotent)."""
    count = await service.release_due(
        ctx.session, window_days=ctx.services.settings.refund_window_days
    )
    log.info("ledger.released", transactions=count)


async def schedule_release(services: Services) -> bool:
    """Enqueue today's release job unless one was enqueued today (UTC); the timer calls this
    every check interval, so a process restarted during the day does not skip the day."""
    today = datetime.combine(utcnow().date(), time(), tzinfo=UTC)
    async with services.db.transaction() as session:
        query = select(Job.id).where(Job.name == JobName.LEDGER_RELEASE, Job.created_at >= today)
        if await session.scalar(query.limit(1)) is not None:
            return False
        await services.queue.enqueue(session, JobName.LEDGER_RELEASE)
    return True
