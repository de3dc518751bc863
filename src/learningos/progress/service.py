"""Progress: recording monthly engagement, and the figures of the API and the /progress page.

Per concept the learning session keeps a ConceptProgress row (status, attempts, confidence
history, gaps, time). Here those rows are read and summed up: per content item, and overall
(mastered, average confidence, time, daily streak, confidence over time, weak areas).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service as content_service
from learningos.kit.clock import learner_zone, local_day, month_key, streak
from learningos.kit.db import utcnow
from learningos.learning.repository import MapRepository
from learningos.models.learning import (
    Concept,
    ConceptProgress,
    Engagement,
    Interaction,
    LearningMap,
    LearningSession,
    ProgressStatus,
)
from learningos.models.user import User
from learningos.progress import rules
from learningos.progress.tracked import Tracked, tracked_rows

MASTERED_FROM = 0.75  # completed with at least this last confidence: mastered
STREAK_LOOKBACK_DAYS = 400
CHART_DAYS = 30
LIST_LIMIT = 20  # weak areas and mastered concepts listed in the summary


# ---------- Recording ----------


async def record_activity(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    content_id: uuid.UUID,
    concept_id: uuid.UUID | None,
    seconds: int,
    at: datetime,
    tz: ZoneInfo,
    session_completed: bool = False,
) -> None:
    """Add time (and a concept, and a finished session) to the learner's engagement with a
    content item in the month of `at` in their time zone. Safe when requests race: the row is
    created with INSERT … ON CONFLICT DO NOTHING and the counters grow in one UPDATE each."""
    month = month_key(at, tz)
    await session.execute(_insert_engagement(session, user_id, content_id, month))
    row = (
        Engagement.user_id == user_id,
        Engagement.content_id == content_id,
        Engagement.month == month,
    )
    await session.execute(
        update(Engagement)
        .where(*row)
        .values(
            seconds=Engagement.seconds + max(seconds, 0),
            sessions_completed=Engagement.sessions_completed + int(session_completed),
        )
        .execution_options(synchronize_session=False)
    )
    if concept_id is not None:
        await _add_concept(session, row, str(concept_id))


def _insert_engagement(
    session: AsyncSession, user_id: uuid.UUID, content_id: uuid.UUID, month: str
) -> Any:
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return (
        insert(Engagement)
        .values(
            id=uuid.uuid4(),
            user_id=user_id,
            content_id=content_id,
            month=month,
            seconds=0,
            sessions_completed=0,
            concept_ids=[],
        )
        .on_conflict_do_nothing(index_elements=["user_id", "content_id", "month"])
    )


async def _add_concept(session: AsyncSession, row: tuple[Any, ...], concept: str) -> None:
    # The UPDATE above already holds the row lock (PostgreSQL) or the write lock (SQLite),
    # so this read-modify-write cannot lose a concept another request adds.
    query = select(Engagement.concept_ids).where(*row).with_for_update()
    current = list(await session.scalar(query) or [])
    if concept not in current:
        await session.execute(
            update(Engagement)
            .where(*row)
            .values(concept_ids=[*current, concept])
            .execution_options(synchronize_session=False)
        )


# ---------- Shared helpers ----------


def is_weak(progress: ConceptProgress) -> bool:
    """A weak area of the progress page: the learner is struggling with it now (see
    `progress.rules.struggling`)."""
    return rules.struggling(progress.last_confidence)


def is_mastered(progress: ConceptProgress) -> bool:
    confidence = progress.last_confidence
    return (
        progress.status == ProgressStatus.COMPLETED
        and confidence is not None
        and confidence >= MASTERED_FROM
    )


def average(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return round(sum(known) / len(known), 3) if known else None


def percent(done: int, total: int) -> int:
    """Whole percent, rounded down: 100 only when everything is done."""
    return done * 100 // total if total else 0


def _count(progress: Iterable[ConceptProgress], status: str) -> int:
    return sum(p.status == status for p in progress)


def _weak_areas(tracked: list[Tracked]) -> list[dict[str, Any]]:
    weak = sorted((t for t in tracked if is_weak(t.progress)), key=_confidence_then_title)
    return [_item(t) | {"gaps": list(t.progress.gaps or [])} for t in weak]


def _mastered(tracked: list[Tracked]) -> list[dict[str, Any]]:
    mastered = [t for t in tracked if is_mastered(t.progress)]
    mastered.sort(key=lambda t: t.concept_title.lower())
    mastered.sort(key=lambda t: t.progress.last_confidence or 0.0, reverse=True)
    return [_item(t) for t in mastered]


def _confidence_then_title(t: Tracked) -> tuple[float, str]:
    return (t.progress.last_confidence or 0.0, t.concept_title.lower())


def _item(t: Tracked) -> dict[str, Any]:
    return {
        "concept_id": t.progress.concept_id,
        "title": t.concept_title,
        "content_id": t.progress.content_id,
        "content_title": t.content_title,
        "last_confidence": t.progress.last_confidence,
    }


# ---------- One content item ----------


async def content_progress(
    session: AsyncSession, user: User, content_id: uuid.UUID
) -> dict[str, Any]:
    """The learner's progress through a content item they can read (NotFound otherwise)."""
    content = await content_service.get_readable(session, user, content_id)
    repo = MapRepository(session)
    learning_map = await repo.of_content(content.id)
    concepts = await repo.concepts(learning_map.id) if learning_map else []
    rows = await session.scalars(
        select(ConceptProgress).where(
            ConceptProgress.user_id == user.id, ConceptProgress.content_id == content.id
        )
    )
    by_concept = {p.concept_id: p for p in rows}
    tracked = [
        Tracked(by_concept[c.id], c.title, content.title) for c in concepts if c.id in by_concept
    ]
    progress = [t.progress for t in tracked]
    completed = _count(progress, ProgressStatus.COMPLETED)
    return {
        "content_id": content.id,
        "title": content.title,
        "total_concepts": len(concepts),
        "completed": completed,
        "in_progress": _count(progress, ProgressStatus.IN_PROGRESS),
        "percent": percent(completed, len(concepts)),
        "average_confidence": average(p.last_confidence for p in progress),
        "time_spent_seconds": sum(p.time_spent_seconds for p in progress),
        "weak_areas": _weak_areas(tracked),
        "mastered": _mastered(tracked),
        "concepts": [_concept_row(c, by_concept.get(c.id)) for c in concepts],
    }


def _concept_row(concept: Concept, progress: ConceptProgress | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "concept_id": concept.id,
        "title": concept.title,
        "order": concept.order_index,
        "status": ProgressStatus.NOT_STARTED,
        "attempts": 0,
        "last_confidence": None,
        "confidence_history": [],
        "gaps": [],
        "time_spent_seconds": 0,
    }
    if progress is not None:
        row |= {
            "status": progress.status,
            "attempts": progress.attempts,
            "last_confidence": progress.last_confidence,
            "confidence_history": list(progress.confidence_history or []),
            "gaps": list(progress.gaps or []),
            "time_spent_seconds": progress.time_spent_seconds,
        }
    return row


# ---------- Overall ----------


async def summary(session: AsyncSession, user: User, now: datetime | None = None) -> dict[str, Any]:
    """Everything the /progress page shows, in the learner's time zone."""
    now = now or utcnow()
    tz = learner_zone(user)
    today = local_day(now, tz)
    tracked = await tracked_rows(session, user.id)
    progress = [t.progress for t in tracked]
    days = await active_days(session, user.id, now, tz)
    return {
        "timezone": tz.key,
        "today": today,
        "has_activity": bool(tracked or days),
        "concepts_mastered": sum(is_mastered(p) for p in progress),
        "concepts_completed": _count(progress, ProgressStatus.COMPLETED),
        "concepts_in_progress": _count(progress, ProgressStatus.IN_PROGRESS),
        "average_confidence": average(p.last_confidence for p in progress),
        "time_spent_seconds": sum(p.time_spent_seconds for p in progress),
        "streak_days": streak(days, today),
        "active_today": today in days,
        "confidence_over_time": confidence_by_day(progress, today, tz),
        "review_schedule": review_schedule(progress, today, tz),
        "weak_areas": _weak_areas(tracked)[:LIST_LIMIT],
        "mastered": _mastered(tracked)[:LIST_LIMIT],
        "contents": await _content_rows(session, user, tracked),
    }


async def active_days(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, tz: ZoneInfo
) -> set[date]:
    """Local days (of the last 400) on which the learner studied: wrote an explanation, an
    answer or a question in a session. Opening a session (the tutor speaks first) is not
    study, so it does not start or keep a streak."""
    query = (
        select(Interaction.created_at)
        .join(LearningSession, LearningSession.id == Interaction.session_id)
        .where(
            LearningSession.user_id == user_id,
            Interaction.user_input.is_not(None),
            Interaction.user_input != "",
            Interaction.created_at >= now - timedelta(days=STREAK_LOOKBACK_DAYS),
        )
    )
    return {local_day(at, tz) for at in await session.scalars(query)}


def confidence_by_day(
    progress: Iterable[ConceptProgress], today: date, tz: ZoneInfo, days: int = CHART_DAYS
) -> list[dict[str, Any]]:
    """Per local day of the last `days`: the average of the evaluations recorded that day."""
    first = today - timedelta(days=days - 1)
    buckets: dict[date, list[float]] = defaultdict(list)
    for p in progress:
        for at, confidence in _evaluations(p.confidence_history):
            day = local_day(at, tz)
            if first <= day <= today:
                buckets[day].append(confidence)
    return [
        {"day": day, "average_confidence": round(sum(v) / len(v), 3), "evaluations": len(v)}
        for day, v in sorted(buckets.items())
    ]


def _evaluations(history: list[Any] | None) -> Iterable[tuple[datetime, float]]:
    for entry in history or []:
        try:
            yield datetime.fromisoformat(entry["at"]), float(entry["confidence"])
        except (KeyError, TypeError, ValueError):
            continue  # a malformed entry is skipped, never fatal


def review_schedule(
    progress: Iterable[ConceptProgress], today: date, tz: ZoneInfo
) -> dict[str, int]:
    """Reviews due today (overdue included), tomorrow, and in the next seven days."""
    due = [local_day(p.due_at, tz) for p in progress if p.due_at is not None]
    return {
        "due_today": sum(day <= today for day in due),
        "due_tomorrow": sum(day == today + timedelta(days=1) for day in due),
        "due_this_week": sum(day <= today + timedelta(days=6) for day in due),
    }


async def _content_rows(
    session: AsyncSession, user: User, tracked: list[Tracked]
) -> list[dict[str, Any]]:
    """One row per content item of the library (newest first), then any other item the
    learner has progress on."""
    titles = {c.id: c.title for c in await content_service.library(session, user)}
    by_content: dict[uuid.UUID, list[ConceptProgress]] = defaultdict(list)
    for t in tracked:
        titles.setdefault(t.progress.content_id, t.content_title)
        by_content[t.progress.content_id].append(t.progress)
    totals = await concept_counts(session, list(titles))
    rows = []
    for content_id, title in titles.items():
        mine = by_content.get(content_id, [])
        completed = _count(mine, ProgressStatus.COMPLETED)
        total = totals.get(content_id, 0)
        rows.append(
            {
                "content_id": content_id,
                "title": title,
                "total_concepts": total,
                "completed": completed,
                "percent": percent(completed, total),
                "average_confidence": average(p.last_confidence for p in mine),
            }
        )
    return rows


async def concept_counts(
    session: AsyncSession, content_ids: list[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Concepts per content item (a content item keeps one map; regeneration updates it)."""
    if not content_ids:
        return {}
    query = (
        select(LearningMap.content_id, func.count(Concept.id))
        .join(Concept, Concept.learning_map_id == LearningMap.id)
        .where(LearningMap.content_id.in_(content_ids))
        .group_by(LearningMap.content_id)
    )
    return {content_id: count for content_id, count in await session.execute(query)}


# ---------- The confidence chart (server-rendered SVG) ----------


def confidence_chart(
    points: list[tuple[date, float]], width: int = 640, height: int = 200
) -> dict[str, Any]:
    """Geometry of a line chart of confidence (0–1) over days, for an inline SVG: the
    polyline, the area under it, a dot per point, and the axis ticks with their labels."""
    left, right, top, bottom = 48, width - 16, 12, height - 28
    ordered = sorted(points)
    x_of = _x_scale([day for day, _ in ordered], left, right)

    def y_of(value: float) -> float:
        return round(bottom - min(max(value, 0.0), 1.0) * (bottom - top), 1)

    dots = [
        {"x": x_of(day), "y": y_of(value), "day": day, "value": value} for day, value in ordered
    ]
    line = " ".join(f"{d['x']},{d['y']}" for d in dots)
    area = f"{dots[0]['x']},{bottom} {line} {dots[-1]['x']},{bottom}" if len(dots) > 1 else ""
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": right,
        "top": top,
        "bottom": bottom,
        "empty": not dots,
        "points": line,
        "area": area,
        "dots": dots,
        "y_ticks": [
            {"y": y_of(v), "label": f"{round(v * 100)}%"} for v in (0.0, 0.25, 0.5, 0.75, 1.0)
        ],
        "x_ticks": [_x_tick(x_of(day), day, left, right) for day in _tick_days(ordered)],
    }


def _x_tick(x: float, day: date, left: int, right: int) -> dict[str, Any]:
    """A day label under the axis; the outermost ones are aligned inwards so they stay inside."""
    anchor = "start" if x <= left else "end" if x >= right else "middle"
    return {"x": x, "label": day_label(day), "anchor": anchor}


def _x_scale(days: list[date], left: int, right: int) -> Callable[[date], float]:
    if not days or days[0] == days[-1]:
        middle = round((left + right) / 2, 1)
        return lambda day: middle
    first, span = days[0], (days[-1] - days[0]).days
    return lambda day: round(left + (day - first).days / span * (right - left), 1)


def _tick_days(ordered: list[tuple[date, float]], most: int = 5) -> list[date]:
    """Up to `most` evenly spaced days from the first point's to the last's."""
    if not ordered:
        return []
    first, last = ordered[0][0], ordered[-1][0]
    span = (last - first).days
    count = min(most, span + 1)
    if count == 1:
        return [first]
    return sorted({first + timedelta(days=round(i * span / (count - 1))) for i in range(count)})


def day_label(day: date) -> str:
    return f"{day:%b} {day.day}"
