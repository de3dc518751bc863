"""The guided learning loop, shared by the JSON API and the pages.

Each request applies one learner action through the state machine and runs the AI steps it
implies: `start` and a `continue` into a new explanation run the tutor; `answer` runs the
examiner and the coach; `ask` runs the tutor on a free question; `end` runs the reviewer. No
database connection is held while the AI answers (see `replies.py`): the action is worked out
in passes that are rolled back, the replies are fetched between them, and the action is then
applied with them in the request's transaction. Two requests acting on one session at once
cannot both win: the session row carries a version, and the later writer gets a conflict. A
learner message sent again with the same `client_id` is not applied twice.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from learningos.account.service import learning_prefs
from learningos.ai.calling import caller_for
from learningos.ai.gateway import AIResult
from learningos.ai.schemas import TutorOutput
from learningos.content import service as content_service
from learningos.kit.clock import learner_zone
from learningos.kit.db import utcnow
from learningos.kit.errors import Conflict, NotFound, ValidationFailed
from learningos.learning.repository import MapRepository
from learningos.models.ai import AIRole
from learningos.models.content import ContentStatus
from learningos.models.learning import (
    Adaptation,
    AdaptationKind,
    Concept,
    ConceptProgress,
    Interaction,
    LearningSession,
    ProgressStatus,
    SessionMode,
    SessionStatus,
)
from learningos.models.user import User
from learningos.progress.repository import ProgressRepository
from learningos.review.evaluation import record_evaluation
from learningos.services import Services
from learningos.sessions import machine, path, personalise, steps
from learningos.sessions.replies import Needed, Replies, changed
from learningos.sessions.repository import SessionRepository

MAX_MESSAGE = 5000
NO_AI = ("pause", "resume", "skip")  # actions that never call an AI role
MAX_PASSES = 4  # an action asks for two replies at most (the examiner, then the coach)
# The AI steps that end an action (only the examiner is followed by another, the coach): once
# one is fetched, the next pass is the one kept.
LAST_STEPS = ("tutor", "coach", "reviewer")


@dataclass
class Turn:
    """What one request did, for its response."""

    ls: LearningSession
    ai: Replies
    replayed: bool = False
    new: list[Interaction] = field(default_factory=list)
    adaptations: list[Adaptation] = field(default_factory=list)


async def owned(session: AsyncSession, user: User, session_id: uuid.UUID) -> LearningSession:
    ls = await SessionRepository(session).owned(session_id, user.id)
    if ls is None:
        raise NotFound("No such session.")
    return ls


async def _concepts(session: AsyncSession, content_id: uuid.UUID) -> list[Concept]:
    learning_map = await MapRepository(session).of_content(content_id)
    if learning_map is None:
        raise Conflict("This material has no learning map yet.")
    return await MapRepository(session).concepts(learning_map.id)


def next_concept(
    concepts: list[Concept], progress: dict[uuid.UUID, ConceptProgress], skip: set[uuid.UUID]
) -> Concept | None:
    """The first concept in map order not yet completed whose prerequisites are completed
    (mastered ones are skipped); failing that, the first one not completed."""
    done = {cid for cid, p in progress.items() if p.status == ProgressStatus.COMPLETED} | skip
    remaining = [c for c in concepts if c.id not in done]
    for concept in remaining:
        if all(uuid.UUID(str(p)) in done for p in concept.prerequisites):
            return concept
    return remaining[0] if remaining else None


async def start(
    session: AsyncSession,
    services: Services,
    user: User,
    content_id: uuid.UUID,
    concept_id: uuid.UUID | None = None,
    mode: str = SessionMode.LEARN,
    review: list[uuid.UUID] | None = None,
) -> LearningSession:
    """A new session on a content item: a given concept, the next one by the map, or (review
    mode) the concepts due for review, or the `review` concepts when given. With the learner's
    auto-review on (the default), a learn session without a chosen concept starts with the
    concepts due for review today, and says why. One open session per material: while one is
    not completed, starting another is a conflict naming it (end it first)."""
    from learningos.review.service import start_items

    content = await content_service.get_readable(session, user, content_id)
    if content.status != ContentStatus.READY:
        raise Conflict("This material is still being processed.")
    current = await SessionRepository(session).open_on(user.id, content.id)
    if current is not None:
        raise _already_open(current)
    concepts = await _concepts(session, content.id)
    by_id = {c.id: c for c in concepts}
    queue: list[str] | None = None
    review_first: list[uuid.UUID] = []
    if mode == SessionMode.LEARN and concept_id is None and learning_prefs(user).auto_review:
        review_first = [c for c in await start_items(session, user, content.id) if c in by_id]
        if review_first:
            mode, review = SessionMode.REVIEW, review_first
    if mode == SessionMode.REVIEW:
        if review:
            due = list(dict.fromkeys(cid for cid in review if cid in by_id))
            if not due:
                raise NotFound("None of these concepts is part of this material's learning map.")
        else:
            due = [cid for cid in await start_items(session, user, content.id) if cid in by_id]
        if not due:
            raise Conflict("Nothing in this material is due for review today.")
        first: Concept | None = by_id[due[0]]
        queue = [str(cid) for cid in due[1:]]
    elif concept_id is not None:
        first = by_id.get(concept_id)
        if first is None:
            raise NotFound("This concept is not part of this material's learning map.")
    else:
        progress = await ProgressRepository(session).of_concepts(user.id, list(by_id))
        first = next_concept(concepts, progress, set())
        if first is None:
            raise Conflict("Every concept of this map is completed. Start a review instead.")
    assert first is not None
    ls = LearningSession(
        user_id=user.id,
        content_id=content.id,
        concept_id=first.id,
        status=SessionStatus.ACTIVE,
        state="init",
        mode=mode,
        milestone=first.milestone,
        queue=queue,
        last_activity_at=utcnow(),
        time_spent_seconds=0,
    )
    try:
        async with session.begin_nested():
            session.add(ls)
            await session.flush()
    except IntegrityError as exc:  # a start on the same material at the same moment won
        raise _already_open(await SessionRepository(session).open_on(user.id, content.id)) from exc
    if review_first:
        personalise.reviewing_first(session, ls, [by_id[c] for c in review_first])
        await session.flush()
    return ls


def _already_open(current: LearningSession | None) -> Conflict:
    return Conflict(
        "You already have an open session on this material: continue it, or end it to "
        "start another.",
        details={"session_id": str(current.id)} if current else None,
    )


async def interact(
    session: AsyncSession,
    services: Services,
    user: User,
    session_id: uuid.UUID,
    action: str,
    message: str | None = None,
    client_id: str | None = None,
    stream: asyncio.Queue[str] | None = None,
) -> Turn:
    """Apply one learner action (see `machine.ACTIONS`) in `session`, the request's unit of
    work, which is committed first (its connection goes back to the pool): the AI replies are
    fetched between rolled-back passes, with no connection held. With `stream`, any tutor reply
    the action produces is also put there piece by piece as it is generated (a "\x00reset"
    piece means a provider failed mid-reply and the next one starts over)."""
    await services.db.release(session)
    replies = Replies(services.ai, services.db, stream)
    for _ in range(0 if action in NO_AI else MAX_PASSES):
        async with services.db.scratch() as scratch:
            learner = await scratch.merge(user, load=False)
            replies.begin(final=False)
            try:
                await _pass(
                    scratch, services, learner, session_id, action, message, client_id, replies
                )
                need = None
            except Needed as needed:
                need = needed
        if need is None:
            break
        await replies.fetch(need)  # the scratch pass is rolled back: no connection is held
        if need.role in LAST_STEPS:
            break
    replies.begin(final=True)
    try:
        return await _pass(session, services, user, session_id, action, message, client_id, replies)
    except Needed as exc:  # the path changed since the last rolled-back pass
        raise Conflict("This session changed while the AI was answering. Reload it.") from exc


async def _pass(
    session: AsyncSession,
    services: Services,
    user: User,
    session_id: uuid.UUID,
    action: str,
    message: str | None,
    client_id: str | None,
    replies: Replies,
) -> Turn:
    ls = await owned(session, user, session_id)
    await session.refresh(ls)  # the request's session may hold an older copy
    replies.same_session(ls)
    if client_id and await SessionRepository(session).by_client_id(ls.id, client_id):
        return Turn(ls, replies, replayed=True)
    if action not in (*machine.ACTIONS, "skip"):
        raise ValidationFailed(f"Unknown action {action!r}.", details={"allowed": machine.ACTIONS})
    turn = Turn(ls, replies)
    try:
        await _apply(session, services, user, turn, action, (message or "").strip(), client_id)
        await session.flush()
    except StaleDataError as exc:
        raise changed(session_id) from exc
    except IntegrityError as exc:  # the same client_id raced with itself
        raise Conflict("This message was already received.") from exc
    return turn


def _move(ls: LearningSession, event: str) -> None:
    try:
        state = machine.next_state(ls.state, event, ls.paused_from)  # type: ignore[arg-type]
    except machine.InvalidTransition as exc:
        allowed = machine.allowed(ls.state, ls.paused_from)  # type: ignore[arg-type]
        raise Conflict(
            f"You cannot {event} now: the session is in the {ls.state.replace('_', ' ')} step. "
            f"Possible now: {', '.join(allowed) or 'nothing (it is complete)'}.",
            details={"state": ls.state, "allowed": allowed},
        ) from exc
    if state == "paused":
        ls.paused_from, ls.status = ls.state, SessionStatus.PAUSED
    elif ls.state == "paused":
        ls.paused_from, ls.status = None, SessionStatus.ACTIVE
    ls.state = state


async def _apply(
    session: AsyncSession,
    services: Services,
    user: User,
    turn: Turn,
    action: str,
    message: str,
    client_id: str | None,
) -> None:
    ls = turn.ls
    now = utcnow()
    seconds = _elapsed(services, ls, now)
    ls.last_activity_at = now
    try:
        concept, progress = await _current(session, ls)
    except Conflict:
        if action != "end":
            raise
        # The concept left the map (a regeneration): the session can still be ended.
        _move(ls, "end")
        await _complete(session, services, user, turn)
        return
    if action in ("answer", "ask"):
        if not message:
            raise ValidationFailed("Write something first.", details={"message": "empty"})
        if len(message) > MAX_MESSAGE:
            raise ValidationFailed(f"Keep it under {MAX_MESSAGE:,} characters.")
    if ls.state not in ("paused", "complete") and action not in ("pause", "end"):
        await _spend(session, services, user, ls, progress, seconds, now)
    if action == "start":
        _move(ls, "start")
        await _explain(session, services, user, turn, concept, progress, client_id)
    elif action == "answer":
        _move(ls, "answer")
        await _evaluate(session, services, user, turn, concept, progress, message, client_id)
        _move(ls, "evaluated")
    elif action == "continue":
        await _continue(session, services, user, turn, concept, progress, client_id)
    elif action == "ask":
        _move(ls, "ask")
        await _answer_question(session, services, user, turn, concept, progress, message, client_id)
    elif action == "skip":
        await _skip(session, turn)
    elif action in ("pause", "resume"):
        _move(ls, action)
    elif action == "end":
        _move(ls, "end")
        await _complete(session, services, user, turn)


def _elapsed(services: Services, ls: LearningSession, now: Any) -> int:
    if ls.last_activity_at is None or ls.state == "paused":
        return 0
    gap = int((now - ls.last_activity_at).total_seconds())
    return max(0, min(gap, services.settings.progress_idle_cap_seconds))


async def _spend(
    session: AsyncSession,
    services: Services,
    user: User,
    ls: LearningSession,
    progress: ConceptProgress,
    seconds: int,
    now: Any,
    completed: bool = False,
) -> None:
    from learningos.progress.service import record_activity

    ls.time_spent_seconds += seconds
    progress.time_spent_seconds += seconds
    assert ls.content_id is not None
    await record_activity(
        session,
        user_id=user.id,
        content_id=ls.content_id,
        concept_id=progress.concept_id,
        seconds=seconds,
        at=now,
        tz=learner_zone(user),
        session_completed=completed,
    )


async def _current(session: AsyncSession, ls: LearningSession) -> tuple[Concept, ConceptProgress]:
    if ls.concept_id is None:
        raise Conflict("This session's concept no longer exists; start a new session.")
    found = await MapRepository(session).concept_with_map(ls.concept_id)
    if found is None:
        raise Conflict("This session's concept no longer exists; start a new session.")
    concept, learning_map = found
    progress = await ProgressRepository(session).get_or_create(
        ls.user_id, concept, learning_map.content_id
    )
    return concept, progress


async def _explain(
    session: AsyncSession,
    services: Services,
    user: User,
    turn: Turn,
    concept: Concept,
    progress: ConceptProgress,
    client_id: str | None,
) -> None:
    ls = turn.ls
    slow = await personalise.slowed(session, user.id, concept.id)
    inp = await steps.tutor_input(session, services, user, ls, concept, progress, slow=slow)
    result = await turn.ai.tutor(inp, caller_for(user), session)
    _record_tutor(session, turn, concept, result, None, "explanation", client_id)
    _move(ls, "explained")


def _record_tutor(
    session: AsyncSession,
    turn: Turn,
    concept: Concept,
    result: AIResult[TutorOutput],
    question: str | None,
    kind: str,
    client_id: str | None,
) -> None:
    evaluation = steps.tutor_evaluation(result.output, result, kind)
    row = steps.record(
        session,
        turn.ls,
        concept,
        AIRole.TUTOR,
        result,
        user_input=question,
        ai_response=result.output.text,
        evaluation=evaluation,
        client_id=client_id,
    )
    turn.new.append(row)


async def _answer_question(
    session: AsyncSession,
    services: Services,
    user: User,
    turn: Turn,
    concept: Concept,
    progress: ConceptProgress,
    question: str,
    client_id: str | None,
) -> None:
    inp = await steps.tutor_input(
        session, services, user, turn.ls, concept, progress, question=question
    )
    result = await turn.ai.tutor(inp, caller_for(user), session)
    _record_tutor(session, turn, concept, result, question, "answer", client_id)


async def _evaluate(
    session: AsyncSession,
    services: Services,
    user: User,
    turn: Turn,
    concept: Concept,
    progress: ConceptProgress,
    answer: str,
    client_id: str | None,
) -> None:
    ls = turn.ls
    now = utcnow()
    examined, passages = await steps.examine(session, services, turn.ai, user, ls, concept, answer)
    evaluation = examined.output
    record_evaluation(
        progress,
        confidence=evaluation.confidence,
        gaps=evaluation.gaps,
        at=now,
        session_id=ls.id,
        bounds=services.settings.review_rating_bounds,
    )
    turn.new.append(
        steps.record(
            session,
            ls,
            concept,
            AIRole.EXAMINER,
            examined,
            user_input=answer,
            ai_response=evaluation.feedback,
            evaluation={
                **evaluation.model_dump(),
                "attempt": progress.attempts,
                "engine": examined.usage.engine,
            },
            client_id=client_id,
        )
    )
    coached = await steps.decide(session, turn.ai, user, concept, passages, evaluation, progress)
    decision = coached.output
    ls.practice_task = decision.task if decision.decision == "practice" else None
    turn.new.append(
        steps.record(
            session,
            ls,
            concept,
            AIRole.COACH,
            coached,
            ai_response=decision.reason,
            evaluation={**decision.model_dump(), "engine": coached.usage.engine},
        )
    )
    scores = [float(h["confidence"]) for h in progress.confidence_history]
    ls.confidence_score = round(sum(scores) / len(scores), 4)
    assert ls.content_id is not None
    concepts = await _concepts(session, ls.content_id)
    rows = await ProgressRepository(session).of_concepts(user.id, [c.id for c in concepts])
    completed = {cid for cid, p in rows.items() if p.status == ProgressStatus.COMPLETED}
    made = await personalise.after_evaluation(
        session,
        ls,
        concept,
        progress,
        concepts,
        completed,
        adapt_difficulty=personalise.adaptive(user),
    )
    if any(a.kind == AdaptationKind.SESSION_LENGTH for a in made):
        minutes = learning_prefs(user).session_minutes
        user.preferences = {**user.preferences, "session_minutes": max(10, minutes - 10)}
    turn.adaptations.extend(made)


async def _continue(
    session: AsyncSession,
    services: Services,
    user: User,
    turn: Turn,
    concept: Concept,
    progress: ConceptProgress,
    client_id: str | None,
) -> None:
    ls = turn.ls
    if ls.state != "decide_next":
        _move(ls, "continue")  # raises the conflict with what is possible now
    coach = await SessionRepository(session).last_of(ls.id, AIRole.COACH)
    decision = str((coach.evaluation or {}).get("decision", "review")) if coach else "review"
    if decision == "practice":
        _move(ls, "practice")  # the learner now answers the application task
        return
    if decision == "review":
        _move(ls, "review")
        await _explain(session, services, user, turn, concept, progress, client_id)
        return
    progress.status, progress.completed_at = ProgressStatus.COMPLETED, utcnow()
    following = await _following(session, ls, user)
    if following is None:
        _move(ls, "finished")
        await _complete(session, services, user, turn)
        return
    ls.concept_id, ls.practice_task = following.id, None
    _move(ls, "proceed")
    next_concept_, next_progress = await _current(session, ls)
    await _explain(session, services, user, turn, next_concept_, next_progress, client_id)


async def _following(session: AsyncSession, ls: LearningSession, user: User) -> Concept | None:
    """The next concept: the review queue's next in review mode; otherwise the map's next
    after the current one, within the session's milestone (see `path.following`), unless a
    concept of this material is due for review (with auto-review on): then that one first,
    and the session goes on where it was heading afterwards. When the coach sends the
    learner elsewhere than the next in map order, the reason is recorded."""
    assert ls.content_id is not None
    concepts = await _concepts(session, ls.content_id)
    by_id = {c.id: c for c in concepts}
    if ls.mode == SessionMode.REVIEW:
        queue = [uuid.UUID(c) for c in (ls.queue or []) if uuid.UUID(c) in by_id]
        ls.queue = [str(c) for c in queue[1:]]
        return by_id[queue[0]] if queue else None
    progress = await ProgressRepository(session).of_concepts(user.id, list(by_id))
    completed = {cid for cid, p in progress.items() if p.status == ProgressStatus.COMPLETED}
    heading = [by_id[uuid.UUID(c)] for c in (ls.queue or []) if uuid.UUID(c) in by_id]
    ls.queue = None
    if heading and heading[0].id not in completed:  # back from a review to where it was going
        return heading[0]
    step = path.following(concepts, ls.concept_id, completed, ls.milestone)
    review = await _due_review(session, ls, user, by_id)
    if review is not None:
        then = f"; then you go on with “{step.concept.title}”" if step else ""
        if step:
            ls.queue = [str(step.concept.id)]
        personalise.detour(
            session,
            ls,
            review,
            f"“{review.title}” is due for review today, so it comes first{then}.",
            AdaptationKind.DUE_REVIEW,
        )
        return review
    if step is None:
        return None
    if step.reason:
        personalise.detour(session, ls, step.concept, step.reason, step.kind)
    return step.concept


async def _due_review(
    session: AsyncSession, ls: LearningSession, user: User, by_id: dict[uuid.UUID, Concept]
) -> Concept | None:
    """A concept of this material due for review today that this session has not examined
    yet, when the learner has auto-review on."""
    from learningos.review.service import start_items

    if not learning_prefs(user).auto_review or ls.content_id is None:
        return None
    seen = await SessionRepository(session).examined(ls.id)
    for cid in await start_items(session, user, ls.content_id):
        if cid in by_id and cid not in seen and cid != ls.concept_id:
            return by_id[cid]
    return None


async def _skip(session: AsyncSession, turn: Turn) -> None:
    """Accept the latest offer to skip the milestone's easy concepts."""
    ls = turn.ls
    offers = [
        a
        for a in await SessionRepository(session).adaptations(ls.id)
        if a.kind == AdaptationKind.OFFER_SKIP
    ]
    if not offers or ls.state != "decide_next":
        raise Conflict("There is no offer to skip concepts right now.")
    assert ls.content_id is not None
    concepts = {c.id: c for c in await _concepts(session, ls.content_id)}
    for raw in offers[-1].details.get("concepts", []):
        concept = concepts.get(uuid.UUID(raw))
        if concept is None:
            continue
        row = await ProgressRepository(session).get_or_create(ls.user_id, concept, ls.content_id)
        if row.status != ProgressStatus.COMPLETED:
            row.status, row.completed_at = ProgressStatus.COMPLETED, utcnow()
    offers[-1].details = {**offers[-1].details, "accepted": True}


async def _complete(session: AsyncSession, services: Services, user: User, turn: Turn) -> None:
    from learningos.progress.service import record_activity
    from learningos.review.service import session_summary

    ls = turn.ls
    ls.status, ls.completed_at, ls.paused_from = SessionStatus.COMPLETED, utcnow(), None
    await session.flush()
    ls.summary = await session_summary(session, services, user, ls, ai=turn.ai)
    assert ls.content_id is not None
    await record_activity(
        session,
        user_id=user.id,
        content_id=ls.content_id,
        concept_id=None,
        seconds=0,
        at=utcnow(),
        tz=learner_zone(user),
        session_completed=True,
    )
