"""The AI steps of a session — tutor, examiner, coach — their inputs, and each stored as an
interaction with its AI usage (what an evaluation does to progress: `review/evaluation.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.account.service import learning_prefs
from learningos.ai.calling import caller_for, passages_from
from learningos.ai.gateway import AIResult
from learningos.ai.inputs import (
    CoachInput,
    ConceptRef,
    ExaminerInput,
    Passage,
    TutorInput,
)
from learningos.ai.schemas import CoachOutput, ExaminerOutput, TutorOutput
from learningos.kit.db import utcnow
from learningos.models.ai import AIRole
from learningos.models.learning import (
    Concept,
    ConceptProgress,
    Interaction,
    LearningSession,
    SessionMode,
)
from learningos.models.user import User
from learningos.progress import rules
from learningos.retrieval.context import assemble_context
from learningos.services import Services
from learningos.sessions.replies import Replies
from learningos.sessions.repository import SessionRepository


def concept_ref(concept: Concept) -> ConceptRef:
    return ConceptRef(
        title=concept.title,
        description=concept.description,
        id=str(concept.id),
        difficulty=concept.difficulty,
    )


async def passages_for(
    session: AsyncSession,
    services: Services,
    ls: LearningSession,
    concept: Concept,
    notes: list[str],
    mistakes: list[str],
    query: str | None = None,
) -> list[Passage]:
    """The concept's material (top sections within the token budget) as passages."""
    assert ls.content_id is not None
    context = await assemble_context(
        session,
        services.index,
        services.cache,
        content_id=ls.content_id,
        concept_text=query or f"{concept.title}. {concept.description}",
        notes=notes,
        mistakes=mistakes,
        k=4,
    )
    return passages_from(context)


def record(
    session: AsyncSession,
    ls: LearningSession,
    concept: Concept | None,
    role: AIRole,
    result: AIResult[Any] | None,
    *,
    user_input: str | None = None,
    ai_response: str | None = None,
    evaluation: dict[str, Any] | None = None,
    client_id: str | None = None,
) -> Interaction:
    """One step, with the AI usage of the call that produced it."""
    row = Interaction(
        session_id=ls.id,
        concept_id=concept.id if concept else None,
        role=role,
        client_id=client_id,
        user_input=user_input,
        ai_response=ai_response,
        evaluation=evaluation,
        created_at=utcnow(),
    )
    if result is not None:
        usage = result.usage
        row.provider, row.model = usage.provider, usage.model
        row.prompt_id, row.prompt_version = usage.prompt_id, usage.prompt_version
        row.tokens_in, row.tokens_out = usage.tokens_in, usage.tokens_out
        row.cost_usd, row.latency_ms = usage.cost_usd, usage.latency_ms
        row.fallback, row.fallback_reason = usage.fallback, usage.fallback_reason
    session.add(row)
    if result is not None:
        result.attach(row.id)
    return row


def tutor_evaluation(output: TutorOutput, result: AIResult[Any], kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "question": output.question,
        "question_kind": output.question_kind,
        "citations": [c.model_dump() for c in output.citations],
        "engine": result.usage.engine,
    }


async def tutor_input(
    session: AsyncSession,
    services: Services,
    user: User,
    ls: LearningSession,
    concept: Concept,
    progress: ConceptProgress,
    *,
    question: str | None = None,
    slow: bool = False,
) -> TutorInput:
    from learningos.notes.service import notes_for_context

    notes = await notes_for_context(session, user.id, concept.id)
    mistakes = [str(g) for g in progress.gaps][:5]
    passages = await passages_for(session, services, ls, concept, notes, mistakes, question)
    from learningos.sessions.personalise import adaptive

    struggling = rules.struggling(progress.last_confidence)
    reviewing = ls.mode == SessionMode.REVIEW or (struggling and adaptive(user))
    pace = "slow" if slow or reviewing else learning_prefs(user).pace
    turn = await SessionRepository(session).count_role(ls.id, AIRole.TUTOR)
    return TutorInput(
        concept=concept_ref(concept),
        passages=passages,
        question=question,
        mode="review" if reviewing else ("practice" if ls.practice_task else "explain"),
        pace=pace,
        turn=turn,
        notes=notes,
        mistakes=mistakes,
    )


async def other_concepts(session: AsyncSession, concept: Concept) -> list[Passage]:
    """The map's other concepts as short passages: what an answer about something else in
    the same material is compared with."""
    from learningos.learning.repository import MapRepository

    concepts = await MapRepository(session).concepts(concept.learning_map_id)
    return [
        Passage(
            text=f"{c.title}. {c.description}".strip(),
            title=c.title,
            page_start=c.page_start,
            page_end=c.page_end,
        )
        for c in concepts
        if c.id != concept.id
    ]


async def examine(
    session: AsyncSession,
    services: Services,
    ai: Replies,
    user: User,
    ls: LearningSession,
    concept: Concept,
    answer: str,
) -> tuple[AIResult[ExaminerOutput], list[Passage]]:
    last_tutor = await SessionRepository(session).last_of(ls.id, AIRole.TUTOR)
    asked = (last_tutor.evaluation or {}).get("question", "") if last_tutor else ""
    passages = await passages_for(session, services, ls, concept, [], [])
    inp = ExaminerInput(
        concept=concept_ref(concept),
        passages=passages,
        answer=answer,
        question=ls.practice_task or str(asked),
        others=await other_concepts(session, concept),
    )
    return await ai.examine(inp, caller_for(user), session), passages


async def decide(
    session: AsyncSession,
    ai: Replies,
    user: User,
    concept: Concept,
    passages: list[Passage],
    evaluation: ExaminerOutput,
    progress: ConceptProgress,
) -> AIResult[CoachOutput]:
    earlier = [float(h["confidence"]) for h in progress.confidence_history[:-1]]
    inp = CoachInput(
        concept=concept_ref(concept),
        passages=passages,
        evaluation=evaluation,
        attempts=progress.attempts,
        history=earlier,
    )
    return await ai.coach(inp, caller_for(user), session)
