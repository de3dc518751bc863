"""Learning-map and tutor services shared by the JSON API and the pages."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.account.service import learning_prefs
from learningos.ai.budget import check_before_release
from learningos.ai.calling import caller_for, passages_from
from learningos.ai.gateway import AIResult, Usage
from learningos.ai.inputs import ConceptRef, TutorInput
from learningos.ai.schemas import TutorOutput
from learningos.content import service as content_service
from learningos.kit.errors import Conflict, NotFound
from learningos.learning.maps import draft_changes, draft_result, store_map
from learningos.learning.repository import MapRepository
from learningos.models.ai import AIRole
from learningos.models.content import Content, ContentStatus
from learningos.models.jobs import Job, JobName
from learningos.models.learning import Concept, LearningMap
from learningos.models.user import User
from learningos.retrieval.context import assemble_context
from learningos.services import Services


def _ready(content: Content) -> None:
    if content.status != ContentStatus.READY:
        raise Conflict("This content is still being processed. Try again when it is ready.")


async def map_with_concepts(
    session: AsyncSession, content_id: uuid.UUID
) -> tuple[LearningMap | None, list[Concept]]:
    """The map and its concepts, for a page (the caller has checked read access)."""
    repo = MapRepository(session)
    learning_map = await repo.of_content(content_id)
    return learning_map, await repo.concepts(learning_map.id) if learning_map else []


async def get_map(session: AsyncSession, user: User, content_id: uuid.UUID) -> dict[str, Any]:
    """The content's learning map with its concepts in prerequisite-first order."""
    content = await content_service.get_readable(session, user, content_id)
    repo = MapRepository(session)
    learning_map = await repo.of_content(content.id)
    if learning_map is None:
        if content.status != ContentStatus.READY:
            raise NotFound("The learning map is built when processing finishes.")
        raise NotFound("This content has no learning map yet. Generate one.")
    concepts = await repo.concepts(learning_map.id)
    return {
        "id": learning_map.id,
        "content_id": content.id,
        "overview": learning_map.overview,
        "milestones": learning_map.milestones,
        "total_minutes": learning_map.total_minutes,
        "generated_by": learning_map.generated_by,
        "generated_at": learning_map.generated_at,
        "concepts": concepts,
    }


async def request_map(
    session: AsyncSession,
    services: Services,
    user: User,
    content_id: uuid.UUID,
    granularity: str = "default",
    preview: bool = False,
) -> Job:
    """Queue (re)generation of the content's learning map; the owner's or an admin's call.
    With `preview` the new plan waits as a draft until the owner replaces the map with it."""
    content = await content_service.get_owned(session, user, content_id)
    _ready(content)
    payload = {"content_id": str(content.id), "granularity": granularity, "preview": preview}
    return await services.queue.enqueue(
        session, JobName.LEARNING_GENERATE_MAP, payload, user_id=user.id
    )


async def map_draft(
    session: AsyncSession, user: User, content_id: uuid.UUID
) -> tuple[LearningMap, dict[str, Any]]:
    """The owner's waiting draft and what it would change; 404 when there is none."""
    await content_service.get_owned(session, user, content_id)
    repo = MapRepository(session)
    learning_map = await repo.of_content(content_id)
    if learning_map is None or learning_map.draft is None:
        raise NotFound("There is no new map waiting. Regenerate the map first.")
    concepts = await repo.concepts(learning_map.id, hidden=True)
    return learning_map, draft_changes(learning_map.draft, concepts)


async def settle_draft(
    session: AsyncSession, user: User, content_id: uuid.UUID, accept: bool
) -> LearningMap:
    """Replace the map with its draft (concepts matched by title keep their progress and
    notes), or discard the draft."""
    learning_map, _ = await map_draft(session, user, content_id)
    draft, learning_map.draft = learning_map.draft, None
    if accept and draft is not None:
        return await store_map(session, content_id, draft_result(draft))
    return learning_map


async def ask(
    session: AsyncSession, services: Services, user: User, content_id: uuid.UUID, question: str
) -> AIResult[TutorOutput]:
    """The tutor answers a free question from the learner's material, with citations."""
    content = await content_service.get_readable(session, user, content_id)
    _ready(content)
    context = await assemble_context(
        session,
        services.index,
        services.cache,
        content_id=content.id,
        concept_text=question,
        notes=[],
        mistakes=[],
        k=4,
    )
    passages = passages_from(context)
    inp = TutorInput(
        concept=ConceptRef(title=content.title, description=content.description or ""),
        passages=passages,
        question=question,
        pace=learning_prefs(user).pace,
    )
    caller = await check_before_release(
        session, services.ai, AIRole.TUTOR, caller_for(user, content)
    )
    await services.db.release(session)  # no transaction is held while the tutor answers
    return await services.ai.tutor(inp, caller, session)


def usage_out(usage: Usage) -> dict[str, Any]:
    return {
        "engine": usage.engine,
        "provider": usage.provider,
        "model": usage.model,
        "prompt_id": usage.prompt_id,
        "prompt_version": usage.prompt_version,
        "tokens_in": usage.tokens_in,
        "tokens_out": usage.tokens_out,
        "cost_usd": str(usage.cost_usd),
        "latency_ms": usage.latency_ms,
        "fallback": usage.fallback,
    }
