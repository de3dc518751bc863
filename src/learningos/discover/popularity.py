""" "Popular this week": distinct learners with a learning session on an item in the last 7
days, kept in `contents.learners_week` so that the popular order is an index scan.

Counting on every request would group the week's sessions each time (about 60 ms for 15,000
sessions on SQLite); a timer recomputes the counts every few minutes instead (the worker in
production, the web process in the embedded mode), writing only the items whose count
changed. The figure is therefore up to one interval old."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import utcnow
from learningos.kit.logging import get_logger
from learningos.models.content import Content
from learningos.models.learning import LearningSession
from learningos.services import Services

log = get_logger(__name__)
DAYS = 7


async def counts(session: AsyncSession, now: datetime | None = None) -> dict[uuid.UUID, int]:
    """Distinct learners per item over the last 7 days (a range scan of
    `ix_learning_sessions_recent`: bounded by the week's sessions, not by their history)."""
    since = (now or utcnow()) - timedelta(days=DAYS)
    rows = await session.execute(
        select(LearningSession.content_id, func.count(distinct(LearningSession.user_id)))
        .where(LearningSession.updated_at >= since, LearningSession.content_id.is_not(None))
        .group_by(LearningSession.content_id)
    )
    return {content_id: int(n) for content_id, n in rows if content_id is not None}


async def refresh(session: AsyncSession, now: datetime | None = None) -> int:
    """Bring `learners_week` up to date; returns how many items changed."""
    fresh = await counts(session, now)
    known = select(Content.id, Content.learners_week).where(Content.learners_week > 0)
    stored = {cid: n for cid, n in await session.execute(known)}
    changed = {cid: n for cid, n in fresh.items() if stored.get(cid) != n}
    changed.update({cid: 0 for cid in stored if cid not in fresh})
    for content_id, learners in changed.items():
        await session.execute(
            update(Content)
            .where(Content.id == content_id)
            .values(learners_week=learners)
            .execution_options(synchronize_session=False)
        )
    return len(changed)


async def refresh_all(services: Services) -> None:
    """The timer's run: one transaction."""
    async with services.db.transaction() as session:
        changed = await refresh(session)
    if changed:
        log.info("discover.popularity", changed=changed)
