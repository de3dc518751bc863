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
        return await self.first(query)  # type: ignore[no-any-return]

    async def concepts(self, map_id: uuid.UUID) -> list[Concept]:
        rows = await self.session.scalars(
            select(Concept).where(Concept.learning_map_id == map_id).order_by(Concept.order_index)
        )
        return list(rows)
