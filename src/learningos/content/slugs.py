"""Listing addresses: `/c/{slug}`, made from the title when an item is first listed (public,
paid or platform) and kept from then on, so a shared address never breaks (a later rename
does not move it). Unique: a taken slug gets a number (`statistics-2`)."""

from __future__ import annotations

import re
import secrets
import unicodedata
import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content.repository import ContentRepository, has_listing
from learningos.models.content import Content

MAX_LENGTH = 80
FALLBACK = "material"
_NOT_WORD = re.compile(r"[\W_]+")


def slugify(title: str) -> str:
    """Lower-case words joined by hyphens. Latin accents are dropped (`Café` → `cafe`);
    other scripts are kept as they are; nothing left gives "material". Never a UUID, so
    `/c/{id}` and `/c/{slug}` cannot be confused."""
    decomposed = unicodedata.normalize("NFKD", title)
    kept: list[str] = []
    for char in decomposed:
        # A combining mark on a Latin letter is an accent; elsewhere it is part of a letter.
        if unicodedata.combining(char) and kept and kept[-1].isascii():
            continue
        kept.append(char)
    text = unicodedata.normalize("NFKC", "".join(kept)).lower()
    slug = _NOT_WORD.sub("-", text).strip("-")[:MAX_LENGTH].strip("-") or FALLBACK
    if _is_uuid(slug):
        slug = f"{slug[: MAX_LENGTH - 2]}-1"
    return slug


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def first_free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


async def ensure_slug(session: AsyncSession, content: Content) -> str | None:
    """Give a listed item its slug the first time it is listed (no-op otherwise). Two items
    of the same title listed at the same moment: the loser of the unique constraint takes
    a random suffix."""
    if content.slug or not has_listing(content):
        return content.slug
    base = slugify(content.title)
    slug = first_free(base, await ContentRepository(session).slugs_like(base))
    for attempt in range(3):
        try:
            async with session.begin_nested():
                content.slug = slug
                await session.flush()
            return slug
        except IntegrityError:
            content.slug = None
            slug = f"{base[: MAX_LENGTH - 7]}-{secrets.token_hex(3)}"
            if attempt == 2:
                raise
    return content.slug
