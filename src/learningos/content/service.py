"""Content: upload, processing state, deletion and search — shared by the API and the pages."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content.allowance import check_processing_allowance
from learningos.content.document import IngestError
from learningos.content.repository import ContentRepository
from learningos.content.schemas import DESCRIPTION_MAX
from learningos.content.sections import SectionRepository
from learningos.content.sniff import sniff_kind
from learningos.jobs.repository import JobRepository
from learningos.kit.audit import audit
from learningos.kit.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMedia,
    ValidationFailed,
)
from learningos.kit.requestmeta import RequestMeta
from learningos.models.content import (
    AccessType,
    Category,
    Content,
    ContentAccess,
    ContentSection,
    ContentStatus,
)
from learningos.models.jobs import Job, JobName
from learningos.models.user import Role, User
from learningos.retrieval.search import search_content
from learningos.services import Services

STAGES = [
    ("uploaded", "Uploaded"),
    ("extract", "Text extracted"),
    ("sections", "Sections"),
    ("embeddings", "Embeddings"),
    ("map", "Learning map"),
]
EXTENSIONS = {"pdf": "pdf", "text": "txt", "markdown": "md"}


@dataclass(frozen=True)
class Uploaded:
    content: Content
    duplicate: bool
    job: Job | None


def stage_states(content: Content) -> list[dict[str, str]]:
    """The processing checklist: which stages are done, active, pending or failed."""
    keys = [key for key, _ in STAGES]
    if content.status == ContentStatus.READY:
        current = len(keys)
    else:
        current = keys.index(content.stage) if content.stage in keys else 0
    states = []
    for i, (key, label) in enumerate(STAGES):
        if i < current or (i == 0 and content.status != ContentStatus.PENDING):
            state = "done"
        elif i == current:
            state = "error" if content.status == ContentStatus.ERROR else "active"
        else:
            state = "pending"
        states.append({"key": key, "label": label, "state": state})
    return states


def _file_digest(path: Path) -> tuple[bytes, str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        head = f.read(4096)
        digest.update(head)
        size += len(head)
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return head, digest.hexdigest(), size


async def upload(
    session: AsyncSession,
    services: Services,
    user: User,
    *,
    path: Path,
    filename: str,
    title: str | None,
    description: str | None,
    meta: RequestMeta,
) -> Uploaded:
    """Store an uploaded file and queue its processing. The same file uploaded twice by one
    learner returns the item already in the library."""
    settings = services.settings
    head, sha256, size = await anyio.to_thread.run_sync(_file_digest, path)
    if size > settings.max_upload_bytes:
        raise PayloadTooLarge(
            f"The file is larger than {settings.max_upload_bytes // (1 << 20)} MB.",
            details={"limit_bytes": settings.max_upload_bytes},
        )
    try:
        kind = sniff_kind(head, filename)
    except IngestError as exc:
        error = ValidationFailed if exc.code == "empty" else UnsupportedMedia
        raise error(exc.message, details=[{"field": "file", "message": exc.message}]) from exc
    contents = ContentRepository(session)
    existing = await contents.get_by_hash(user.id, sha256)
    if existing is not None:
        return Uploaded(existing, True, None)
    # Only a new file costs processing, so only a new file counts against the daily limits.
    await check_processing_allowance(session, settings, user)
    await services.limiter.hit(settings.upload_limit_per_user, "upload-user", str(user.id))
    title = clean_title(title) or Path(filename).stem[:300] or "Untitled"
    content = Content(
        user_id=user.id,
        title=title,
        description=(description or "").strip()[:5000] or None,
        type=kind,
        status=ContentStatus.PENDING,
        stage="uploaded",
        file_name=Path(filename).name[:255] or None,
        file_size=size,
        file_sha256=sha256,
    )
    try:
        await contents.add(content)
    except IntegrityError as exc:  # the same file uploaded twice at the same moment
        raise Conflict("This file is already being uploaded.") from exc
    content.file_key = f"contents/{user.id}/{content.id}/original.{EXTENSIONS[kind]}"
    await services.storage.put(content.file_key, path)
    session.add(ContentAccess(content_id=content.id, user_id=user.id, access_type=AccessType.OWNER))
    job = await services.queue.enqueue(
        session, JobName.CONTENT_PROCESS, {"content_id": str(content.id)}, user_id=user.id
    )
    await audit(session, "content.uploaded", meta, user.id, content_id=str(content.id), kind=kind)
    return Uploaded(content, False, job)


async def get_readable(session: AsyncSession, user: User, content_id: uuid.UUID) -> Content:
    content = await ContentRepository(session).get_readable(content_id, user)
    if content is None:
        raise NotFound("No such content.")
    return content


async def get_owned(session: AsyncSession, user: User, content_id: uuid.UUID) -> Content:
    content = await get_readable(session, user, content_id)
    if content.user_id != user.id and user.role != Role.ADMIN:
        raise Forbidden("Only the owner can change this content.")
    return content


def clean_title(title: str | None) -> str:
    """A title as it is stored: one line, spaces collapsed, at most 300 characters."""
    return " ".join((title or "").split())[:300]


def required_title(title: str | None) -> str:
    """`clean_title`, refusing an empty one (422 on the title field)."""
    cleaned = clean_title(title)
    if not cleaned:
        message = "Enter a title."
        raise ValidationFailed(message, details=[{"field": "title", "message": message}])
    return cleaned


def rename_offer(content: Content, user: User, wanted: str | None) -> str | None:
    """The title typed when the same file was uploaded again, offered to the owner as a
    rename when it differs from the item's title."""
    offered = clean_title(wanted)
    if offered and offered != content.title and content.user_id == user.id:
        return offered
    return None


async def rename(
    session: AsyncSession, user: User, content_id: uuid.UUID, title: str, meta: RequestMeta
) -> Content:
    """Give an item a new title (the owner or an admin)."""
    content = await get_owned(session, user, content_id)
    content.title = required_title(title)
    await audit(session, "content.renamed", meta, user.id, content_id=str(content.id))
    return content


def clean_description(text: str | None) -> str | None:
    """A description as stored: trimmed, at most 5,000 characters, None when empty (shown
    escaped everywhere: it is plain text, never HTML)."""
    cleaned = (text or "").strip()
    if len(cleaned) > DESCRIPTION_MAX:
        message = f"Keep the description under {DESCRIPTION_MAX:,} characters."
        raise ValidationFailed(message, details=[{"field": "description", "message": message}])
    return cleaned or None


def clean_category(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return Category(value).value
    except ValueError:
        message = "Choose a category from the list."
        raise ValidationFailed(
            message, details=[{"field": "category", "message": message}]
        ) from None


async def update(
    session: AsyncSession,
    user: User,
    content_id: uuid.UUID,
    changes: dict[str, Any],
    meta: RequestMeta,
) -> Content:
    """Change an item's title, description or category (the owner or an admin); fields not
    in `changes` stay as they are."""
    content = await get_owned(session, user, content_id)
    if "title" in changes:
        content.title = required_title(changes["title"])
    if "description" in changes:
        content.description = clean_description(changes["description"])
    if "category" in changes:
        content.category = clean_category(changes["category"])
    await audit(
        session, "content.updated", meta, user.id, content_id=str(content.id),
        fields=sorted(changes),
    )  # fmt: skip
    return content


async def outline(session: AsyncSession, content: Content) -> list[ContentSection]:
    return await SectionRepository(session).outline(content.id)


@dataclass(frozen=True)
class Reading:
    """One section of an item opened in the reader, with its neighbours in reading order."""

    section: ContentSection
    previous: ContentSection | None
    next: ContentSection | None
    page: int | None  # the page asked for, when the reader was opened from a citation

    @property
    def paragraphs(self) -> list[str]:
        """The section's text cut at blank lines."""
        return [p.strip() for p in self.section.text.split("\n\n") if p.strip()]


async def reading(
    session: AsyncSession,
    content: Content,
    section_id: uuid.UUID | None = None,
    page: int | None = None,
) -> Reading:
    """The section to read: the one named (a retrieval chunk opens its section), or the
    most specific section holding `page`, or the first."""
    sections = await outline(session, content)
    if not sections:
        raise NotFound("This material has no text to read yet.")
    by_id = {s.id: s for s in sections}
    chosen: ContentSection | None = None
    if section_id is not None:
        chosen = by_id.get(section_id)
        if chosen is None:
            chunk = await SectionRepository(session).get(section_id)
            if chunk is None or chunk.content_id != content.id:
                raise NotFound("This section does not exist.")
            chosen = by_id.get(chunk.parent_id) if chunk.parent_id else None
    elif page is not None:
        holding = [
            s
            for s in sections
            if s.page_start is not None and s.page_start <= page <= (s.page_end or s.page_start)
        ]
        # The deepest (then shortest) section that holds the page.
        chosen = min(
            holding,
            key=lambda s: (-s.level, (s.page_end or s.page_start or 0) - (s.page_start or 0)),
            default=None,
        )
    chosen = chosen or sections[0]
    at = sections.index(chosen)
    return Reading(
        section=chosen,
        previous=sections[at - 1] if at > 0 else None,
        next=sections[at + 1] if at + 1 < len(sections) else None,
        page=page,
    )


# Library order: what can be studied first, then what is on its way, then what failed.
_SHELF_ORDER: dict[str, int] = {
    ContentStatus.READY: 0,
    ContentStatus.PROCESSING: 1,
    ContentStatus.PENDING: 1,
    ContentStatus.ERROR: 2,
}


async def library(session: AsyncSession, user: User) -> list[Content]:
    """The learner's library, ready items first, newest first within each state."""
    items = await ContentRepository(session).list_library(user)
    return sorted(items, key=lambda c: _SHELF_ORDER.get(c.status, 1))


# Library filter -> the content statuses it shows (None: all).
LIBRARY_FILTERS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "ready": (ContentStatus.READY,),
    "processing": (ContentStatus.PENDING, ContentStatus.PROCESSING),
    "failed": (ContentStatus.ERROR,),
}


@dataclass(frozen=True)
class Shelf:
    """The library under one filter: what it shows, and how many items each filter has."""

    show: str
    shown: list[Content]
    counts: dict[str, int]
    total: int


async def library_shelf(session: AsyncSession, user: User, show: str) -> Shelf:
    everything = await library(session, user)
    show = show if show in LIBRARY_FILTERS else "all"

    def kept(item: Content, states: tuple[str, ...] | None) -> bool:
        return states is None or item.status in states

    return Shelf(
        show=show,
        shown=[c for c in everything if kept(c, LIBRARY_FILTERS[show])],
        counts={key: sum(kept(c, s) for c in everything) for key, s in LIBRARY_FILTERS.items()},
        total=len(everything),
    )


async def retry(
    session: AsyncSession, services: Services, user: User, content_id: uuid.UUID
) -> Job:
    """Process a failed item again (re-processing replaces its sections and vectors). An item
    whose processing job nobody runs (its message was lost, its worker died) can be retried
    too: that job is closed and a new one queued."""
    content = await get_owned(session, user, content_id)
    await check_processing_allowance(session, services.settings, user)
    if content.status not in (ContentStatus.ERROR, ContentStatus.READY):
        job = await JobRepository(session).unfinished(
            JobName.CONTENT_PROCESS, content.user_id, content_id=str(content.id)
        )
        if job is not None and not await services.queue.supersede(session, job):
            raise Conflict("This content is still being processed.")
    content.status, content.stage, content.progress = ContentStatus.PENDING, "uploaded", 0
    content.status_message = None
    return await services.queue.enqueue(
        session, JobName.CONTENT_PROCESS, {"content_id": str(content.id)}, user_id=user.id
    )


async def delete(
    session: AsyncSession, services: Services, user: User, content_id: uuid.UUID, meta: RequestMeta
) -> None:
    """Delete the item and its sections now; its vectors and stored file go in a job."""
    content = await get_owned(session, user, content_id)
    payload = {
        "content_id": str(content.id),
        "file_key": content.file_key,
        "cover_key": content.cover_key,
    }
    await session.delete(content)
    await session.flush()
    await services.queue.enqueue(session, JobName.CONTENT_PURGE, payload, user_id=user.id)
    await audit(session, "content.deleted", meta, user.id, content_id=str(content_id))


async def search(
    session: AsyncSession, services: Services, content: Content, query: str, k: int = 5
) -> list[dict[str, object]]:
    """Retrieval hits for a question, each with a snippet of its section's text."""
    hits = await search_content(session, services.index, content.id, query, k)
    texts = await SectionRepository(session).texts([h.section_id for h in hits])
    return [
        {
            "section_id": h.section_id,
            "title": h.title,
            "page_start": h.page_start,
            "page_end": h.page_end,
            "score": h.score,
            "snippet": snippet(texts.get(h.section_id, ""), query),
        }
        for h in hits
    ]


def snippet(text: str, query: str, width: int = 300) -> str:
    """The part of the text around the first query word found, on word boundaries."""
    flat = " ".join(text.split())
    lowered = flat.lower()
    positions = [lowered.find(w) for w in query.lower().split() if len(w) > 3]
    found = [p for p in positions if p >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    if start:
        start = flat.find(" ", start) + 1
    piece = flat[start : start + width]
    if start + width < len(flat):
        piece = piece.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + piece
