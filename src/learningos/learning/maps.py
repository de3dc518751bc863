"""Building a content item's learning map with the Planner, and keeping it on regeneration.

Concepts are matched to the previous map's by title, so a regenerated map keeps the identity
(and so the learner's progress) of every concept that still exists; notes on a dropped concept
stay with the content item, and return to a concept of the same title if one comes back.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ai.gateway import AIResult, Caller
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
    session: AsyncSession, services: Services, content: Content, caller: Caller
) -> LearningMap:
    """Plan the content and store the map. Raises ValueError when the material has nothing
    to plan from (the planner's message says why)."""
    inp = planner_input(content, await SectionRepository(session).outline(content.id))
    result = await services.ai.plan(inp, caller, session)
    return await store_map(session, content.id, result)


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
