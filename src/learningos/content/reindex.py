"""Rebuild the vector index from the sections stored in the database."""

from __future__ import annotations

from collections.abc import Callable

from learningos.content.repository import ContentRepository
from learningos.content.sections import SectionRepository
from learningos.retrieval.index import IndexedSection
from learningos.services import Services


async def reindex_all(services: Services, progress: Callable[[str], None] | None = None) -> int:
    """Recreate the collection for the configured embedding model and re-embed every ready
    item's searchable sections. Returns the number of items indexed."""
    await services.index.recreate()
    async with services.db.transaction() as session:
        contents = await ContentRepository(session).list_ready()
    for content in contents:
        async with services.db.transaction() as session:
            rows = await SectionRepository(session).all_of(content.id)
        chunked = {r.parent_id for r in rows if r.kind == "chunk"}
        await services.index.upsert(
            [
                IndexedSection(r.id, content.id, r.title, r.text, r.page_start, r.page_end)
                for r in rows
                if r.id not in chunked and r.text.strip()
            ]
        )
        if progress:
            progress(content.title)
    return len(contents)
