"""Sessions, their interactions and adaptations."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from learningos.kit.repository import Repository
from learningos.models.ai import AIRole
from learningos.models.learning import (
    Adaptation,
    Interaction,
    LearningSession,
    SessionStatus,
)


class SessionRepository(Repository[LearningSession]):
    model = LearningSession

    async def owned(self, session_id: uuid.UUID, user_id: uuid.UUID) -> LearningSession | None:
        query = select(LearningSession).where(
            LearningSession.id == session_id, LearningSession.user_id == user_id
        )
        return await self.first(query)

    async def interactions(self, session_id: uuid.UUID) -> list[Interaction]:
        rows = await self.session.scalars(
            select(Interaction)
            .where(Interaction.session_id == session_id)
            .order_by(Interaction.created_at, Interaction.id)
        )
        return list(rows)

    async def by_client_id(self, session_id: uuid.UUID, client_id: str) -> Interaction | None:
        query = select(Interaction).where(
            Interaction.session_id == session_id, Interaction.client_id == client_id
        )
        return await self.first(query)

    async def last_of(self, session_id: uuid.UUID, role: AIRole) -> Interaction | None:
        query = (
            select(Interaction)
            .where(Interaction.session_id == session_id, Interaction.role == role)
            .order_by(Interaction.created_at.desc(), Interaction.id.desc())
        )
        return await self.first(query)

    async def count_role(self, session_id: uuid.UUID, role: AIRole) -> int:
        rows = await self.session.scalars(
            select(Interaction.id).where(
                Interaction.session_id == session_id, Interaction.role == role
            )
        )
        return len(list(rows))

    async def examined(self, session_id: uuid.UUID) -> set[uuid.UUID]:
        """The concepts the examiner scored in this session."""
        rows = await self.session.scalars(
            select(Interaction.concept_id).where(
                Interaction.session_id == session_id, Interaction.role == AIRole.EXAMINER
            )
        )
        return {cid for cid in rows if cid is not None}

    async def open_on(self, user_id: uuid.UUID, content_id: uuid.UUID) -> LearningSession | None:
        """The learner's latest session on a content item that is not completed."""
        query = (
            select(LearningSession)
            .where(
                LearningSession.user_id == user_id,
                LearningSession.content_id == content_id,
                LearningSession.status != SessionStatus.COMPLETED,
            )
            .order_by(LearningSession.created_at.desc())
        )
        return await self.first(query)

    async def adaptations(self, session_id: uuid.UUID) -> list[Adaptation]:
        rows = await self.session.scalars(
            select(Adaptation)
            .where(Adaptation.session_id == session_id)
            .order_by(Adaptation.created_at)
        )
        return list(rows)
