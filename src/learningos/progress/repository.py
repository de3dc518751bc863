"""The learner's per-concept progress."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from learningos.kit.repository import Repository
from learningos.models.learning import Concept, ConceptProgress, ProgressStatus


class ProgressRepository(Repository[ConceptProgress]):
    model = ConceptProgress

    async def of_concepts(
        self, user_id: uuid.UUID, concept_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, ConceptProgress]:
        if not concept_ids:
            return {}
        rows = await self.session.scalars(
            select(ConceptProgress).where(
                ConceptProgress.user_id == user_id, ConceptProgress.concept_id.in_(concept_ids)
            )
        )
        return {row.concept_id: row for row in rows}

    async def get_or_create(
        self, user_id: uuid.UUID, concept: Concept, content_id: uuid.UUID
    ) -> ConceptProgress:
        found = await self.of_concepts(user_id, [concept.id])
        if concept.id in found:
            return found[concept.id]
        row = ConceptProgress(
            user_id=user_id,
            concept_id=concept.id,
            content_id=content_id,
            status=ProgressStatus.NOT_STARTED,
            attempts=0,
            confidence_history=[],
            gaps=[],
            time_spent_seconds=0,
        )
        self.session.add(row)
        await self.session.flush()
        return row
