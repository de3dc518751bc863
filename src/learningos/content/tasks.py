"""Content jobs: process an upload (extract → sections → embeddings → learning map) and purge a
deleted one.

Parsing, segmentation and embedding are blocking and run in worker threads (a PDF in a child
process), never on the event loop. The job holds no transaction while they and the planner
run: it reads the item, gives its connection back (Database.release), writes progress in short
transactions of its own so that the status endpoint sees it while the job runs, and writes
the sections and the final state together at the end in one short transaction, which finds
the item again (it may have been deleted meanwhile), so an item is never half-ready.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread

from learningos.ai.gateway import AIResult, Caller
from learningos.ai.schemas import PlannerOutput
from learningos.content import covers
from learningos.content.document import Document, IngestError, Section
from learningos.content.pdf_process import extract_pdf_bounded, render_cover_bounded
from learningos.content.repository import ContentRepository
from learningos.content.sections import SectionRepository
from learningos.content.segment import segment
from learningos.content.text import extract_text
from learningos.jobs.registry import JobContext, PermanentJobError, job
from learningos.kit.logging import get_logger
from learningos.learning.maps import planner_input, store_map
from learningos.models.content import Content, ContentSection, ContentStatus
from learningos.models.jobs import JobName
from learningos.retrieval.context import invalidate_content
from learningos.retrieval.index import IndexedSection
from learningos.services import Services

log = get_logger(__name__)
UNEXPECTED = (
    "Processing failed unexpectedly. Try again; if it keeps failing, the file may be damaged."
)


class IngestFailed(PermanentJobError):
    """The file itself cannot be ingested; the message is for the learner."""


async def set_progress(services: Services, content_id: uuid.UUID, **values: Any) -> None:
    async with services.db.transaction() as session:
        await ContentRepository(session).set_fields(content_id, **values)


async def mark_failed(ctx: JobContext, exc: Exception) -> None:
    message = str(exc) if isinstance(exc, IngestFailed) else UNEXPECTED
    content_id = uuid.UUID(ctx.job.payload["content_id"])
    await ContentRepository(ctx.session).set_fields(
        content_id, status=ContentStatus.ERROR, status_message=message
    )


@job(JobName.CONTENT_PROCESS, max_attempts=3, on_failure=mark_failed)
async def process_content(ctx: JobContext) -> None:
    services = ctx.services
    content_id = uuid.UUID(ctx.job.payload["content_id"])
    content = await ctx.session.get(Content, content_id)
    if content is None or content.file_key is None:
        raise PermanentJobError("the content no longer exists")
    kind, key, has_cover = content.type, content.file_key, content.cover_key is not None
    await services.db.release(ctx.session)  # nothing is held while the work runs
    await set_progress(
        services, content_id, status=ContentStatus.PROCESSING, stage="extract", progress=2
    )
    document = await _extract(services, content_id, kind, key)
    cover = None if has_cover or kind != "pdf" else await _pdf_cover(services, content_id, key)
    settings = services.settings
    characters = sum(len(page.text) for page in document.pages)
    if characters > settings.max_item_characters:
        raise IngestFailed(
            f"This file has {characters:,} characters of text; one material may have up to "
            f"{settings.max_item_characters:,}. Split it into parts and upload them one by one."
        )
    await set_progress(services, content_id, stage="sections", progress=40)
    sections = await anyio.to_thread.run_sync(segment, document)
    if not sections:
        raise IngestFailed("No text could be found in this file.")
    if len(sections) > settings.max_item_sections:
        raise IngestFailed(
            f"This file splits into {len(sections):,} sections; one material may have up to "
            f"{settings.max_item_sections:,}. Split it into parts and upload them one by one."
        )
    rows = _section_rows(content_id, sections)
    await set_progress(services, content_id, stage="embeddings", progress=45)
    await _index(services, content_id, sections, rows)
    await set_progress(services, content_id, stage="map", progress=91)
    plan = await _plan(ctx, content, rows)
    await _finish(ctx, content_id, document, rows, plan, cover)


async def _extract(services: Services, content_id: uuid.UUID, kind: str, key: str) -> Document:
    last = {"percent": 0}

    def on_page(done: int, total: int) -> None:
        percent = 2 + int(36 * done / max(total, 1))
        if percent >= last["percent"] + 4:  # a write every few percent, not every page
            last["percent"] = percent
            anyio.from_thread.run(_progress_from_thread, services, content_id, percent)

    async with services.storage.local_copy(key) as path:
        try:
            if kind == "pdf":
                return await _extract_pdf(services, Path(path), on_page)
            data = await anyio.to_thread.run_sync(Path(path).read_bytes)
            return await anyio.to_thread.run_sync(
                lambda: extract_text(data, markdown=kind == "markdown")
            )
        except IngestError as exc:
            raise IngestFailed(exc.message) from exc


async def _extract_pdf(
    services: Services, path: Path, on_page: Callable[[int, int], None]
) -> Document:
    """The PDF's text, extracted in a child process bounded in memory; a cancelled job (its
    deadline passed) kills the child rather than waiting for it."""
    settings = services.settings
    stop = threading.Event()
    try:
        return await anyio.to_thread.run_sync(
            lambda: extract_pdf_bounded(
                path,
                max_pages=settings.max_pdf_pages,
                memory_mb=settings.pdf_memory_limit_mb,
                on_page=on_page,
                stop=stop,
            ),
            abandon_on_cancel=True,
        )
    finally:
        stop.set()


async def _pdf_cover(services: Services, content_id: uuid.UUID, key: str) -> str | None:
    """Render the PDF's first page as the item's cover and store it; its storage key, or None
    (never an error: a failed cover does not fail processing)."""
    try:
        async with services.storage.local_copy(key) as path:
            data = await anyio.to_thread.run_sync(
                lambda: render_cover_bounded(
                    Path(path), memory_mb=services.settings.pdf_memory_limit_mb
                ),
                abandon_on_cancel=True,
            )
        if data is None:
            log.info("content.no_cover", content_id=str(content_id))
            return None
        cover_key = covers.new_key(content_id, prefix="page1-")
        await covers.put_bytes(services.storage, cover_key, data)
        return cover_key
    except Exception as exc:  # noqa: BLE001 - the cover is optional
        log.warning("content.cover_failed", content_id=str(content_id), error=str(exc))
        return None


async def _progress_from_thread(services: Services, content_id: uuid.UUID, percent: int) -> None:
    await set_progress(services, content_id, progress=percent)


def _section_rows(content_id: uuid.UUID, sections: list[Section]) -> list[ContentSection]:
    ids = [uuid.uuid4() for _ in sections]
    return [
        ContentSection(
            id=ids[i],
            content_id=content_id,
            parent_id=ids[s.parent] if s.parent is not None else None,
            title=s.title[:500] or "Untitled section",
            order_index=i,
            level=s.level,
            kind=s.kind,
            text=s.text,
            page_start=s.page_start,
            page_end=s.page_end,
        )
        for i, s in enumerate(sections)
    ]


def searchable_sections(sections: list[Section]) -> list[Section]:
    """The sections retrieval sees: every section with text, except that a section cut into
    chunks is seen through its chunks. (A section holds only its own text, not its
    subsections', so a chapter's introduction is searchable on its own.)"""
    chunked = {s.parent for s in sections if s.kind == "chunk"}
    return [s for i, s in enumerate(sections) if i not in chunked and s.text.strip()]


async def _index(
    services: Services, content_id: uuid.UUID, sections: list[Section], rows: list[ContentSection]
) -> None:
    by_position = {id(s): r for s, r in zip(sections, rows, strict=True)}
    leaves = [by_position[id(s)] for s in searchable_sections(sections)]
    last = {"percent": 45}
    writes: set[asyncio.Task[None]] = set()

    def on_progress(done: int, total: int) -> None:
        # Called on the event loop after each embedded group: embedding is the slow stage,
        # so the bar must move while it runs (a write every few percent).
        percent = 45 + int(45 * done / max(total, 1))
        if percent >= last["percent"] + 3:
            last["percent"] = percent
            task = asyncio.create_task(set_progress(services, content_id, progress=percent))
            writes.add(task)
            task.add_done_callback(writes.discard)

    await services.index.delete_content(content_id)
    await services.index.upsert(
        [
            IndexedSection(
                section_id=r.id,
                content_id=content_id,
                title=r.title,
                text=r.text,
                page_start=r.page_start,
                page_end=r.page_end,
            )
            for r in leaves
        ],
        on_progress=on_progress,
    )
    await asyncio.gather(*writes)
    indexed = {r.id for r in leaves}
    for row in rows:
        row.embedding_ref = str(row.id) if row.id in indexed else None


async def _plan(
    ctx: JobContext, content: Content, rows: list[ContentSection]
) -> AIResult[PlannerOutput] | str:
    """The learning map's plan, or why there is none (the item stays searchable without one)."""
    inp = planner_input(content, rows)
    caller = Caller(user_id=content.user_id, content_id=content.id, check_budget=False)
    try:
        return await ctx.services.ai.plan(inp, caller, ctx.session)
    except ValueError as exc:
        log.warning("content.no_map", content_id=str(content.id), reason=str(exc))
        return f"No learning map could be built from this material: {exc}"


async def _finish(
    ctx: JobContext,
    content_id: uuid.UUID,
    document: Document,
    rows: list[ContentSection],
    plan: AIResult[PlannerOutput] | str,
    cover: str | None = None,
) -> None:
    content = await ctx.session.get(Content, content_id, populate_existing=True)
    if content is None:  # deleted while processing: drop what was indexed
        if not isinstance(plan, str):
            for record in plan.records:
                ctx.session.expunge(record)
        await ctx.services.index.delete_content(content_id)
        if cover:
            await covers.discard(ctx.services.storage, cover)
        return
    if cover and content.cover_key is None:
        content.cover_key, content.cover_url = cover, covers.cover_path(content_id, cover)
    elif cover:  # the owner uploaded a cover meanwhile: theirs stays
        await covers.discard(ctx.services.storage, cover)
    await SectionRepository(ctx.session).replace_all(content_id, rows)
    if not isinstance(plan, str):
        await store_map(ctx.session, content_id, plan)
    content.raw_text = "\n\n".join(page.text for page in document.pages)
    content.page_count = document.page_count if document.kind == "pdf" else None
    content.status, content.stage, content.progress = ContentStatus.READY, "done", 100
    content.status_message = plan if isinstance(plan, str) else None
    await invalidate_content(ctx.services.cache, content_id)
    log.info("content.processed", content_id=str(content_id), sections=len(rows))


@job(JobName.CONTENT_PURGE)
async def purge_content(ctx: JobContext) -> None:
    """Remove a deleted item's vectors and stored file (retried until both are gone)."""
    payload = ctx.job.payload
    await ctx.services.index.delete_content(uuid.UUID(payload["content_id"]))
    await invalidate_content(ctx.services.cache, uuid.UUID(payload["content_id"]))
    if payload.get("file_key"):
        await ctx.services.storage.delete(payload["file_key"])
    if payload.get("cover_key"):
        await ctx.services.storage.delete(payload["cover_key"])
