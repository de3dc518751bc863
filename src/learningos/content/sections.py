"""Queries on a content item's sections."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select

from learningos.kit.repository import Repository
from learningos.models.content import ContentSection


class SectionRepository(Repository[ContentSection]):
    model = ContentSection

    async def outline(self, content_id: uuid.UUID) -> list[ContentSection]:
        """Sections without their retrieval chunks, in reading order."""
        rows = await self.session.scalars(
            select(ContentSection)
            .where(ContentSection.content_id == content_id, ContentSection.kind != "chunk")
            .order_by(ContentSection.order_index)
        )
        return list(rows)

    async def all_of(self, content_id: uuid.UUID) -> list[ContentSection]:
        rows = await self.session.scalars(
            select(ContentSection)
            .where(ContentSection.content_id == content_id)
            .order_by(ContentSection.order_index)
        )
        return list(rows)

    async def replace_all(self, content_id: uuid.UUID, rows: list[ContentSection]) -> None:
        await self.session.execute(
            delete(ContentSection).where(ContentSection.content_id == content_id)
        )
        self.session.add_all(rows)
        await self.session.flush()

    async def texts(self, section_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not section_ids:
            return {}
        rows = await self.session.execute(
            select(ContentSection.id, ContentSection.text).where(ContentSection.id.in_(section_ids))
        )
        return {row.id: row.text for row in rows}
