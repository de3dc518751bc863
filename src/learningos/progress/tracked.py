"""A learner's progress rows with the titles shown beside them: one shape and one query, read by
the progress page and the review page."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models.content import Content
from learningos.models.learning import Concept, ConceptProgress


@dataclass(frozen=True)
class Tracked:
    """A learner's progress on one concept, with the concept's and the content's titles."""

    progress: ConceptProgress
    concept_title: str
    content_title: str


async def tracked_rows(
    session: AsyncSession, user_id: uuid.UUID, *where: ColumnElement[bool]
) -> list[Tracked]:
    """The learner's progress rows (those matching `where`, all without it) with their titles."""
    query = (
        select(ConceptProgress, Concept.title, Content.title)
        .join(Concept, Concept.id == ConceptProgress.concept_id)
        .join(Content, Content.id == ConceptProgress.content_id)
        .where(ConceptProgress.user_id == user_id, *where)
    )
    rows = await session.execute(query)
    return [Tracked(progress, concept, content) for progress, concept, content in rows]
