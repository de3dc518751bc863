"""Building a content item's learning map with the Planner, and keeping it on regeneration.

Concepts are matched to the previous map's by title, so a regenerated map keeps the identity
(and so the learner's progress) of every concept that still exists; notes on a dropped concept
stay with the content item, and return to a concept of the same title if one comes back.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ai.gateway import AIResult, Caller, Usage
from learningos.ai.inputs import PlannerInput, SectionInput
from learningos.ai.schemas import PlannerOutput
from learningos.content.sections import SectionRepository
from learningos.kit.db import utcnow
from learningos.kit.logging import get_logger
from learningos.learning.repository import MapRepository
from learningos.models.content import Content, ContentSection
from learningos.models.learning import Concept, LearningMap
from learningos.notes.repository import NoteRepository
from learningos.services import Services

log = get_logger(__name__)


def planner_input(content: Content, sections: list[ContentSection]) -> PlannerInput:
    """What the planner reads: the sections in reading order, without retrieval chunks."""
    return PlannerInput(
        content_title=content.title,
        sections=[
            SectionInput(
                id=str(s.id),
                title=s.title,
                text=s.text,
                level=s.level,
                kind=s.kind,
                page_start=s.page_start,
                page_end=s.page_end,
            )
            for s in sections
            if s.kind != "chunk"
        ],
    )


async def generate_map(
    session: AsyncSession,
    services: Services,
    content: Content,
    caller: Caller,
    granularity: str = "default",
    preview: bool = False,
) -> LearningMap:
    """Plan the content and store the map, or with `preview` keep the plan as the map's draft
    for the owner to compare and accept. Raises ValueError when the material has nothing to
    plan from (the planner's message says why)."""
    inp = planner_input(content, await SectionRepository(session).outline(content.id))
    inp.granularity = granularity
    result = await services.ai.plan(inp, caller, session)
    current = await MapRepository(session).of_content(content.id) if preview else None
    if current is None:
        return await store_map(session, content.id, result)
    usage = result.usage
    current.draft = {
        "plan": result.output.model_dump(mode="json"),
        "provider": usage.provider,
        "model": usage.model,
        "granularity": granularity,
        "made_at": utcnow().isoformat(),
    }
    return current


def draft_result(draft: dict[str, Any]) -> AIResult[PlannerOutput]:
    """A stored draft as the planner's result, for store_map."""
    usage = Usage(
        provider=draft["provider"], model=draft["model"], prompt_id=None, prompt_version=None,
        tokens_in=0, tokens_out=0, cost_usd=Decimal(0), latency_ms=0, fallback=False,
        fallback_reason=None,
    )  # fmt: skip
    return AIResult(output=PlannerOutput.model_validate(draft["plan"]), usage=usage)


def draft_changes(draft: dict[str, Any], concepts: list[Concept]) -> dict[str, list[str]]:
    """What replacing the map with the draft would do, concept by concept (matched by title,
    as store_map matches them: a kept concept keeps its progress and notes)."""
    planned = [c["title"] for c in draft["plan"]["concepts"]]
    now = {c.title.strip().lower() for c in concepts}
    later = {t.strip().lower() for t in planned}
    return {
        "kept": [t for t in planned if t.strip().lower() in now],
        "added": [t for t in planned if t.strip().lower() not in now],
        "removed": [c.title for c in concepts if c.title.strip().lower() not in later],
    }


async def store_map(
    session: AsyncSession, content_id: uuid.UUID, result: AIResult[PlannerOutput]
) -> LearningMap:
    plan = result.output
    repo = MapRepository(session)
    learning_map = await repo.of_content(content_id)
    if learning_map is None:
        learning_map = LearningMap(content_id=content_id)
        session.add(learning_map)
        await session.flush()
        previous: dict[str, Concept] = {}
    else:
        previous = {
            c.title.strip().lower(): c for c in await repo.concepts(learning_map.id, hidden=True)
        }
    learning_map.overview = plan.overview
    learning_map.milestones = [m.model_dump() for m in plan.milestones]
    learning_map.total_minutes = sum(c.estimated_minutes for c in plan.concepts)
    learning_map.generated_by = result.usage.engine
    learning_map.generated_at = utcnow()

    # Free the order slots first: (map, order_index) is unique.
    for i, old in enumerate(previous.values()):
        old.order_index = -1 - i
    await session.flush()
    kept: list[Concept] = []
    reused = 0
    ids_by_title: dict[str, str] = {}
    for order, planned in enumerate(plan.concepts):
        key = planned.title.strip().lower()
        concept = previous.pop(key, None) or Concept(learning_map_id=learning_map.id)
        reused += concept.id is not None
        concept.title = planned.title
        concept.description = planned.description
        concept.difficulty = planned.difficulty
        concept.estimated_minutes = planned.estimated_minutes
        concept.order_index = order
        concept.milestone = planned.milestone
        concept.source_sections = planned.source_sections
        concept.page_start, concept.page_end = planned.page_start, planned.page_end
        if concept.id is None:
            concept.id = uuid.uuid4()
            session.add(concept)
        ids_by_title[key] = str(concept.id)
        concept.prerequisites = [
            ids_by_title[p.strip().lower()]
            for p in planned.prerequisites
            if p.strip().lower() in ids_by_title
        ]
        kept.append(concept)
    for gone in previous.values():  # concepts the new plan no longer has (notes stay)
        await session.delete(gone)
    await session.flush()
    adopted = await NoteRepository(session).adopt_orphans(content_id, kept)
    log.info(
        "learning.map_stored",
        content_id=str(content_id),
        concepts=len(kept),
        kept_from_previous=reused,
        dropped=len(previous),
        notes_readopted=adopted,
        engine=result.usage.engine,
    )
    return learning_map
