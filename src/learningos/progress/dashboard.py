"""The dashboard's figures: where to continue, how far each library item is, and the week.

Study time per day comes from interaction timestamps (idle gaps capped, as everywhere in
progress), split by the learner's local calendar days.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content.repository import ContentRepository
from learningos.kit.clock import learner_zone, local_day, streak, time_spent
from learningos.kit.db import utcnow
from learningos.models.ai import AIRole
from learningos.models.content import Content, ContentStatus
from learningos.models.learning import (
    Concept,
    ConceptProgress,
    Interaction,
    LearningMap,
    LearningSession,
    ProgressStatus,
    SessionStatus,
)
from learningos.models.user import User
from learningos.progress.service import active_days, concept_counts, percent

WEEK_DAYS = 7


async def dashboard(
    session: AsyncSession,
    user: User,
    content_ids: list[uuid.UUID],
    idle_cap: int,
    now: datetime | None = None,
) -> dict[str, Any]:
    """{"continue": the item to pick up or None, "percent": {content id: % of concepts
    completed}, "week": the last seven local days}."""
    now = now or utcnow()
    tz = learner_zone(user)
    today = local_day(now, tz)
    learned = await learned_percent(session, user.id, content_ids)
    return {
        "continue": await _continue(session, user, learned["percent"]),
        **learned,
        "week": await _week(session, user, today, tz, now, idle_cap),
    }


async def learned_percent(
    session: AsyncSession, user_id: uuid.UUID, content_ids: list[uuid.UUID]
) -> dict[str, dict[uuid.UUID, Any]]:
    """For library cards: {"percent": {content id: % of its concepts completed},
    "has_map": {content id: whether it has a learning map with concepts}}."""
    totals = await concept_counts(session, content_ids)
    done = await _completed_counts(session, user_id, content_ids)
    return {
        "percent": {cid: percent(done.get(cid, 0), totals.get(cid, 0)) for cid in content_ids},
        "has_map": {cid: totals.get(cid, 0) > 0 for cid in content_ids},
    }


async def _completed_counts(
    session: AsyncSession, user_id: uuid.UUID, content_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    if not content_ids:
        return {}
    rows = await session.scalars(
        select(ConceptProgress.content_id).where(
            ConceptProgress.user_id == user_id,
            ConceptProgress.status == ProgressStatus.COMPLETED,
            ConceptProgress.content_id.in_(content_ids),
        )
    )
    counts: dict[uuid.UUID, int] = defaultdict(int)
    for content_id in rows:
        counts[content_id] += 1
    return counts


async def _continue(
    session: AsyncSession, user: User, percents: dict[uuid.UUID, int]
) -> dict[str, Any] | None:
    """The most recently used session of an item still in the library and still readable
    (access to a shared item can end): open ones first."""
    readable = ContentRepository(session).readable_by(user).with_only_columns(Content.id)
    query = (
        select(LearningSession, Content.title, Concept.title, Concept.milestone, LearningMap)
        .join(Content, Content.id == LearningSession.content_id)
        .outerjoin(Concept, Concept.id == LearningSession.concept_id)
        .outerjoin(LearningMap, LearningMap.content_id == Content.id)
        .where(
            LearningSession.user_id == user.id,
            Content.status == ContentStatus.READY,
            Content.id.in_(readable),
        )
        .order_by(
            (LearningSession.status == SessionStatus.COMPLETED).asc(),
            LearningSession.last_activity_at.desc().nulls_last(),
            LearningSession.created_at.desc(),
        )
        .limit(1)
    )
    row = (await session.execute(query)).first()
    if row is None:
        return None
    ls, content_title, concept_title, milestone, learning_map = row
    milestones = (learning_map.milestones if learning_map else None) or []
    chapter = None
    if milestone is not None and 0 <= milestone < len(milestones):
        chapter = (milestones[milestone] or {}).get("title")
    return {
        "content_id": ls.content_id,
        "content_title": content_title,
        "concept_title": concept_title,
        "chapter": chapter,
        "percent": percents.get(ls.content_id, 0) if ls.content_id else 0,
        "open": ls.status != SessionStatus.COMPLETED,
        "last_activity_at": ls.last_activity_at,
    }


async def _week(
    session: AsyncSession,
    user: User,
    today: date,
    tz: ZoneInfo,
    now: datetime,
    idle_cap: int,
) -> dict[str, Any]:
    first = today - timedelta(days=WEEK_DAYS - 1)
    since = now - timedelta(days=WEEK_DAYS + 1)  # wide enough for any time zone
    rows = await session.execute(
        select(
            Interaction.session_id, Interaction.created_at, Interaction.role, Interaction.concept_id
        )
        .join(LearningSession, LearningSession.id == Interaction.session_id)
        .where(LearningSession.user_id == user.id, Interaction.created_at >= since)
    )
    stamps: dict[tuple[date, uuid.UUID], list[datetime]] = defaultdict(list)
    concepts: set[uuid.UUID] = set()
    for session_id, at, role, concept_id in rows:
        day = local_day(at, tz)
        if not first <= day <= today:
            continue
        stamps[(day, session_id)].append(at)
        if role == AIRole.EXAMINER and concept_id is not None:
            concepts.add(concept_id)
    seconds: dict[date, int] = defaultdict(int)
    for (day, _), times in stamps.items():
        seconds[day] += time_spent(times, idle_cap)
    days = [first + timedelta(days=i) for i in range(WEEK_DAYS)]
    total = sum(seconds.values())
    return {
        "days": [{"day": d, "minutes": round(seconds[d] / 60)} for d in days],
        "minutes": round(total / 60),
        "hours": round(total / 3600, 1),
        "concepts": len(concepts),
        "streak": streak(await active_days(session, user.id, now, tz), today),
        "has_activity": bool(stamps),
        "chart": study_chart([(d, seconds[d] / 60) for d in days]),
    }


def study_chart(
    points: list[tuple[date, float]], width: int = 560, height: int = 160
) -> dict[str, Any]:
    """Bars of minutes per day for a server-rendered SVG: geometry only, the template draws."""
    left, right, top, bottom = 0, 0, 8, 4  # day labels are HTML under the chart
    inner_w, inner_h = width - left - right, height - top - bottom
    peak = max([m for _, m in points] + [1.0])
    slot = inner_w / max(len(points), 1)
    bar_w = slot * 0.6
    bars = []
    for i, (day, minutes) in enumerate(points):
        h = 0 if minutes <= 0 else max(2.0, inner_h * minutes / peak)
        x = left + i * slot + (slot - bar_w) / 2
        bars.append(
            {
                "x": round(x, 1),
                "y": round(top + inner_h - h, 1),
                "w": round(bar_w, 1),
                "h": round(h, 1),
                "cx": round(x + bar_w / 2, 1),
                "label": day.strftime("%a"),
                "day": day,
                "minutes": round(minutes),
            }
        )
    return {"width": width, "height": height, "base": top + inner_h, "bars": bars}
