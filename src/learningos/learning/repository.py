"""Learning maps and their concepts."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from learningos.kit.repository import Repository
from learningos.models.learning import Concept, LearningMap


class MapRepository(Repository[LearningMap]):
    model = LearningMap

    async def of_content(self, content_id: uuid.UUID) -> LearningMap | None:
        query = (
            select(LearningMap)
            .where(LearningMap.content_id == content_id)
            .order_by(LearningMap.generated_at.desc())
        )
        return await self.first(query)

    async def concepts(self, map_id: uuid.UUID, *, hidden: bool = False) -> list[Concept]:
        """The map's concepts in order; those the owner hid only with `hidden=True`."""
        query = select(Concept).where(Concept.learning_map_id == map_id)
        if not hidden:
            query = query.where(Concept.hidden.is_(False))
        return list(await self.session.scalars(query.order_by(Concept.order_index)))

    async def concept_with_map(self, concept_id: uuid.UUID) -> tuple[Concept, LearningMap] | None:
        row = (
            await self.session.execute(
                select(Concept, LearningMap)
                .join(LearningMap, LearningMap.id == Concept.learning_map_id)
                .where(Concept.id == concept_id)
            )
        ).first()
        return (row[0], row[1]) if row else None
