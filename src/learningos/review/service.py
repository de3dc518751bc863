"""The review domain: what is due when, weak points, the Reviewer's summary of a session and the
weekly report. The figures come from the database; the Reviewer (AI) writes the text."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from learningos.ai.budget import check_before_release
from learningos.ai.calling import caller_for
from learningos.ai.gateway import OFFLINE_LABEL, AIResult, Caller
from learningos.ai.inputs import ReviewedConcept, ReviewerInput
from learningos.ai.offline import reviewer as offline_reviewer
from learningos.ai.schemas import ReviewerOutput
from learningos.kit.clock import day_start, learner_zone, local_day
from learningos.kit.db import utcnow
from learningos.kit.errors import AIBudgetExceeded
from learningos.models.ai import AIRole
from learningos.models.learning import (
    Concept,
    ConceptProgress,
    Interaction,
    LearningSession,
    SessionStatus,
)
from learningos.models.user import User
from learningos.progress import rules
from learningos.progress.tracked import Tracked, tracked_rows
from learningos.review import scheduler as sched
from learningos.services import Services

WEEK_REPORT_TTL_SECONDS = 24 * 3600


class Reviews(Protocol):
    """What calls the Reviewer: the gateway, or a learning session's replies."""

    async def review(
        self, inp: ReviewerInput, caller: Caller, session: AsyncSession
    ) -> AIResult[ReviewerOutput]: ...


@dataclass
class Practised:
    """A concept worked on in a period: its confidences then (oldest first) and minutes."""

    concept_id: uuid.UUID
    concept_title: str = ""
    content_id: uuid.UUID | None = None
    content_title: str = ""
    confidences: list[float] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    minutes: float = 0.0
    stability_days: float | None = None
    last_at: datetime | None = None

    def seen(self, at: datetime) -> None:
        self.last_at = at if self.last_at is None else max(self.last_at, at)

    @property
    def last_confidence(self) -> float | None:
        return self.confidences[-1] if self.confidences else None

    @property
    def low_evaluations(self) -> int:
        return len(rules.lows(self.confidences))

    def is_weak(self) -> bool:
        """A weak point (see `progress.rules.weak_point`)."""
        return rules.weak_point(self.confidences)

    def reviewed(self) -> ReviewedConcept:
        return ReviewedConcept(
            title=self.concept_title,
            confidences=self.confidences,
            gaps=self.gaps,
            minutes=round(self.minutes, 1),
            stability_days=self.stability_days,
        )


# -- schedule and summary -----------------------------------------------------------------


async def schedule(
    session: AsyncSession, user: User, now: datetime | None = None
) -> dict[str, Any]:
    """The learner's concepts due today (or overdue), tomorrow and later this week."""
    now = now or utcnow()
    tz = learner_zone(user)
    due = ConceptProgress.due_at
    rows = await tracked_rows(session, user.id, due.is_not(None), due < sched.horizon(now, tz))
    by_id = {row.progress.id: row for row in rows}
    buckets = sched.due_buckets([row.progress for row in rows], now, tz)
    out: dict[str, Any] = {"timezone": tz.key}
    for name, items in buckets.items():
        out[name] = [_scheduled(by_id[progress.id]) for progress in items]
    out["counts"] = {name: len(items) for name, items in buckets.items()}
    return out


async def summary(
    session: AsyncSession, user: User, services: Services, now: datetime | None = None
) -> dict[str, Any]:
    """The review schedule, the learner's weak points and the latest session's summary."""
    evaluated = await tracked_rows(session, user.id, ConceptProgress.last_confidence.is_not(None))
    concepts = [_practised_of(row, None, _all_confidences(row.progress)) for row in evaluated]
    weak = [_weak_point(concept) for concept in concepts if concept.is_weak()]
    return {
        "schedule": await schedule(session, user, now),
        "weak_points": _weakest_first(weak),
        "latest_session": await _latest_session(session, user.id),
    }


async def start_items(
    session: AsyncSession,
    user: User,
    content_id: uuid.UUID | None,
    limit: int = 5,
    now: datetime | None = None,
) -> list[uuid.UUID]:
    """Concepts due for review by the end of the learner's today, most overdue first."""
    tz = learner_zone(user)
    query = (
        select(ConceptProgress.concept_id)
        .where(
            ConceptProgress.user_id == user.id,
            ConceptProgress.due_at < sched.horizon(now or utcnow(), tz, days=0),
        )
        .order_by(ConceptProgress.due_at, ConceptProgress.concept_id)
        .limit(limit)
    )
    if content_id is not None:
        query = query.where(ConceptProgress.content_id == content_id)
    return list(await session.scalars(query))


# -- the weekly report --------------------------------------------------------------------


async def weekly(
    session: AsyncSession, user: User, services: Services, now: datetime | None = None
) -> dict[str, Any]:
    """The last seven calendar days (today included) in the learner's time zone: sessions,
    time, concepts practised, confidence change, weak areas, what is due in the coming week,
    and the Reviewer's weekly report."""
    now = now or utcnow()
    tz = learner_zone(user)
    today = local_day(now, tz)
    first_day = today - timedelta(days=sched.WEEK_DAYS - 1)
    start, end = day_start(first_day, tz), day_start(today + timedelta(days=1), tz)
    sessions = await _sessions_active(session, user.id, start, end)
    practised = await _practised_between(session, services, user.id, start, end)
    items = [concept.reviewed() for concept in practised]
    inp = ReviewerInput(items, period="week", learner_name=user.name)
    report, engine = await _weekly_report(session, services, user, inp, today.isoformat())
    changes = [_change(concept) for concept in practised]
    moved = [c["change"] for c in changes if c["evaluations"] >= 2]
    weak = [_weak_point(concept) for concept in practised if concept.is_weak()]
    return {
        "timezone": tz.key,
        "first_day": first_day.isoformat(),
        "last_day": today.isoformat(),
        "sessions_completed": sum(
            1 for s in sessions if s.completed_at is not None and start <= s.completed_at < end
        ),
        "minutes": round(sum(s.time_spent_seconds for s in sessions) / 60),
        "concepts_practised": len(practised),
        "concepts": changes,
        "average_confidence_change": round(sum(moved) / len(moved), 3) if moved else None,
        "weak_areas": _weakest_first(weak),
        "due": await schedule(session, user, now),
        "report": report,
        "engine": engine,
    }


async def _weekly_report(
    session: AsyncSession, services: Services, user: User, inp: ReviewerInput, day: str
) -> tuple[dict[str, Any], str | None]:
    """The Reviewer's report, kept for a day per learner and unchanged figures so that opening
    the page again does not call the AI again; nothing to review: no AI call at all."""
    if not inp.items:
        return _nothing(inp), None
    digest = hashlib.sha256(json.dumps([day, asdict(inp)], sort_keys=True).encode()).hexdigest()
    key = f"review:weekly:{user.id}:{digest[:32]}"
    cached = await services.cache.get(key)
    if cached:
        kept = json.loads(cached)
        return kept["report"], kept["engine"]
    try:
        caller = await check_before_release(session, services.ai, AIRole.REVIEWER, caller_for(user))
    except AIBudgetExceeded:
        return _nothing(inp), OFFLINE_LABEL
    await services.db.release(session)  # no transaction is held while the Reviewer writes
    report, engine = await _reviewer(session, services, inp, caller)
    value = json.dumps({"report": report, "engine": engine})
    await services.cache.set(key, value, ttl_seconds=WEEK_REPORT_TTL_SECONDS)
    return report, engine


# -- one session's summary ----------------------------------------------------------------


async def session_summary(
    session: AsyncSession,
    services: Services,
    user: User,
    learning_session: LearningSession,
    ai: Reviews | None = None,
) -> dict[str, Any]:
    """The Reviewer's summary of one session from its examiner evaluations and the time spent
    per concept: {"summary", "weak_points", "schedule", "engine"} (store it on the session).
    `ai`: who calls the Reviewer (the gateway by default)."""
    if learning_session.user_id != user.id:
        raise ValueError("the session belongs to another learner")
    steps = list(
        await session.scalars(
            _steps_query()
            .where(Interaction.session_id == learning_session.id)
            .order_by(Interaction.created_at)
        )
    )
    practised = _practised_from_steps(steps, services.settings.progress_idle_cap_seconds)
    if learning_session.concept_id:
        practised.setdefault(learning_session.concept_id, Practised(learning_session.concept_id))
    await _describe(session, user.id, practised)
    known = _by_last_activity(p for p in practised.values() if p.concept_title)
    inp = ReviewerInput([p.reviewed() for p in known], period="session", learner_name=user.name)
    if not inp.items:
        return {**_nothing(inp), "engine": None}
    caller = Caller(user_id=user.id, tier=user.tier, content_id=learning_session.content_id)
    report, engine = await _reviewer(session, services, inp, caller, ai)
    return {**report, "engine": engine}


# -- the Reviewer -------------------------------------------------------------------------


async def _reviewer(
    session: AsyncSession,
    services: Services,
    inp: ReviewerInput,
    caller: Caller,
    ai: Reviews | None = None,
) -> tuple[dict[str, Any], str]:
    """The Reviewer's output and engine; past the learner's AI allowance, the offline
    Reviewer's (free), so that a summary or report is never refused."""
    try:
        result = await (ai or services.ai).review(inp, caller, session)
    except AIBudgetExceeded:
        return offline_reviewer.review(inp).model_dump(), OFFLINE_LABEL
    return result.output.model_dump(), result.usage.engine


def _nothing(inp: ReviewerInput) -> dict[str, Any]:
    """The "nothing to review yet" report, written without an AI call."""
    return offline_reviewer.review(inp).model_dump()


# -- queries ------------------------------------------------------------------------------


async def _latest_session(session: AsyncSession, user_id: uuid.UUID) -> dict[str, Any] | None:
    latest = await session.scalar(
        select(LearningSession)
        .where(
            LearningSession.user_id == user_id,
            LearningSession.status == SessionStatus.COMPLETED,
            LearningSession.completed_at.is_not(None),
        )
        .order_by(LearningSession.completed_at.desc())
        .limit(1)
    )
    if latest is None:
        return None
    return {
        "id": latest.id,
        "content_id": latest.content_id,
        "concept_id": latest.concept_id,
        "mode": latest.mode,
        "completed_at": _iso(latest.completed_at),
        "summary": latest.summary,
    }


async def _sessions_active(
    session: AsyncSession, user_id: uuid.UUID, start: datetime, end: datetime
) -> list[LearningSession]:
    """Sessions with activity in [start, end): started, last active or completed then."""
    query = select(LearningSession).where(
        LearningSession.user_id == user_id,
        LearningSession.created_at < end,
        or_(
            LearningSession.created_at >= start,
            LearningSession.last_activity_at >= start,
            LearningSession.completed_at >= start,
        ),
    )
    return list(await session.scalars(query))


def _steps_query() -> Select[Interaction]:
    """Interactions with only what the reviewer needs (not the texts)."""
    columns = (
        Interaction.session_id,
        Interaction.concept_id,
        Interaction.role,
        Interaction.evaluation,
        Interaction.created_at,
    )
    return select(Interaction).options(load_only(*columns))


async def _practised_between(
    session: AsyncSession,
    services: Services,
    user_id: uuid.UUID,
    start: datetime,
    end: datetime,
) -> list[Practised]:
    """Concepts with an evaluation or an interaction in [start, end), oldest activity first;
    confidences from the progress rows' history, minutes from the interactions."""
    steps = list(
        await session.scalars(
            _steps_query()
            .join(LearningSession, LearningSession.id == Interaction.session_id)
            .where(
                LearningSession.user_id == user_id,
                Interaction.created_at >= start,
                Interaction.created_at < end,
            )
        )
    )
    timed = _practised_from_steps(steps, services.settings.progress_idle_cap_seconds)
    touched = [ConceptProgress.updated_at >= start]
    if timed:
        touched.append(ConceptProgress.concept_id.in_(list(timed)))
    practised: dict[uuid.UUID, Practised] = {}
    for row in await tracked_rows(session, user_id, or_(*touched)):
        progress = row.progress
        window = [(at, c) for at, c in _history(progress) if start <= at < end]
        step = timed.get(progress.concept_id)
        if not window and step is None:
            continue
        concept = _practised_of(row, step, [c for _, c in window])
        for at, _ in window:
            concept.seen(at)
        practised[progress.concept_id] = concept
    return _by_last_activity(practised.values())


async def _describe(
    session: AsyncSession, user_id: uuid.UUID, practised: dict[uuid.UUID, Practised]
) -> None:
    """Titles of the concepts and their contents, and the scheduler's stability."""
    if not practised:
        return
    titles = await session.execute(
        select(Concept.id, Concept.title).where(Concept.id.in_(list(practised)))
    )
    for concept_id, title in titles:
        practised[concept_id].concept_title = title
    progress_of = ConceptProgress.concept_id.in_(list(practised))
    for row in await tracked_rows(session, user_id, progress_of):
        concept = practised[row.progress.concept_id]
        concept.content_id = row.progress.content_id
        concept.content_title = row.content_title
        concept.stability_days = sched.stability_days(row.progress)


# -- shaping ------------------------------------------------------------------------------


def _practised_from_steps(
    steps: Iterable[Interaction], idle_cap: int
) -> dict[uuid.UUID, Practised]:
    """Per concept: examiner confidences and latest gaps, and minutes, summed from the gaps
    between consecutive interactions of a session (a gap counts at most `idle_cap` seconds,
    towards the later interaction's concept)."""
    practised: dict[uuid.UUID, Practised] = {}
    previous: dict[uuid.UUID, datetime] = {}
    for step in sorted(steps, key=lambda s: s.created_at):
        before = previous.get(step.session_id)
        previous[step.session_id] = step.created_at
        if step.concept_id is None:
            continue
        concept = practised.setdefault(step.concept_id, Practised(step.concept_id))
        concept.seen(step.created_at)
        if before is not None:
            concept.minutes += min((step.created_at - before).total_seconds(), idle_cap) / 60
        evaluation = step.evaluation or {}
        if step.role == AIRole.EXAMINER and _is_number(evaluation.get("confidence")):
            concept.confidences.append(float(evaluation["confidence"]))
            concept.gaps = [str(gap) for gap in evaluation.get("gaps") or []]
    return practised


def _practised_of(row: Tracked, step: Practised | None, confidences: list[float]) -> Practised:
    """The concept of a progress row with the given confidences (and the time from `step`)."""
    progress = row.progress
    return Practised(
        concept_id=progress.concept_id,
        concept_title=row.concept_title,
        content_id=progress.content_id,
        content_title=row.content_title,
        confidences=confidences,
        gaps=[str(gap) for gap in progress.gaps or []],
        minutes=step.minutes if step else 0.0,
        stability_days=sched.stability_days(progress),
        last_at=step.last_at if step else None,
    )


def _history(progress: ConceptProgress) -> list[tuple[datetime, float]]:
    """The confidence history as (time, confidence), oldest first; malformed entries skipped."""
    out = []
    for entry in progress.confidence_history or []:
        try:
            at = datetime.fromisoformat(str(entry["at"]))
            confidence = float(entry["confidence"])
        except (KeyError, TypeError, ValueError):
            continue
        out.append((at if at.tzinfo else at.replace(tzinfo=UTC), confidence))
    return sorted(out, key=lambda pair: pair[0])


def _all_confidences(progress: ConceptProgress) -> list[float]:
    """Every evaluation's confidence, oldest first (the last one alone when no history)."""
    confidences = [confidence for _, confidence in _history(progress)]
    if not confidences and progress.last_confidence is not None:
        return [progress.last_confidence]
    return confidences


def _scheduled(row: Tracked) -> dict[str, Any]:
    progress = row.progress
    return {
        "concept_id": progress.concept_id,
        "concept_title": row.concept_title,
        "content_id": progress.content_id,
        "content_title": row.content_title,
        "due_at": _iso(progress.due_at),
        "last_confidence": progress.last_confidence,
    }


def _weak_point(concept: Practised) -> dict[str, Any]:
    return {
        "concept_id": concept.concept_id,
        "concept_title": concept.concept_title,
        "content_id": concept.content_id,
        "content_title": concept.content_title,
        "last_confidence": concept.last_confidence,
        "low_evaluations": concept.low_evaluations,
        "gaps": concept.gaps,
    }


def _weakest_first(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(point: dict[str, Any]) -> tuple[float, int, str]:
        last = point["last_confidence"]
        lowest = last if last is not None else 1.0
        return (lowest, -point["low_evaluations"], point["concept_title"])

    return sorted(points, key=key)


def _change(concept: Practised) -> dict[str, Any]:
    """First and last confidence of a concept in the period, and the change between them."""
    first = concept.confidences[0] if concept.confidences else None
    last = concept.confidences[-1] if concept.confidences else None
    return {
        "concept_id": concept.concept_id,
        "concept_title": concept.concept_title,
        "content_id": concept.content_id,
        "content_title": concept.content_title,
        "minutes": round(concept.minutes, 1),
        "evaluations": len(concept.confidences),
        "first_confidence": first,
        "last_confidence": last,
        "change": round(last - first, 3) if first is not None and last is not None else None,
    }


def _by_last_activity(items: Iterable[Practised]) -> list[Practised]:
    """Oldest activity first, so the last item is the most recent; never-seen ones first."""
    never = datetime.min.replace(tzinfo=UTC)
    return sorted(items, key=lambda p: p.last_at or never)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
