"""Queries on a content item's sections for retrieval."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from learningos.kit.repository import Repository
from learningos.models.content import Content, ContentSection


class RetrievalSectionRepository(Repository[ContentSection]):
    model = ContentSection

    async def version(self, content_id: uuid.UUID) -> tuple[int, str]:
        """Changes whenever the item's sections change: their count (read from the index)
        and the item's `updated_at`, which processing moves whenever it writes sections."""
        count = (
            select(func.count())
            .select_from(ContentSection)
            .where(ContentSection.content_id == content_id)
            .scalar_subquery()
        )
        row = (
            await self.session.execute(
                select(count, Content.updated_at).where(Content.id == content_id)
            )
        ).first()
        return (int(row[0]), str(row[1])) if row else (0, "")

    async def searchable(self, content_id: uuid.UUID) -> list[Any]:
        """The sections retrieval sees, in reading order: every section with text, except one
        that was cut into chunks (its chunks stand for it)."""
        rows = (
            await self.session.execute(
                select(
                    ContentSection.id,
                    ContentSection.parent_id,
                    ContentSection.kind,
                    ContentSection.title,
                    ContentSection.text,
                    ContentSection.page_start,
                    ContentSection.page_end,
                )
                .where(ContentSection.content_id == content_id)
                .order_by(ContentSection.order_index)
            )
        ).all()
        chunked = {r.parent_id for r in rows if r.kind == "chunk" and r.parent_id is not None}
        return [r for r in rows if r.id not in chunked and r.text.strip()]

    async def content_ids(self) -> list[uuid.UUID]:
        """Every content item that has sections (for a full reindex)."""
        rows = await self.session.scalars(select(ContentSection.content_id).distinct())
        return list(rows)
