"""Public listings and ratings, shared by the API and the pages.

- Rating: one per learner and item, by a learner who may read the item (`readable_by`, the
  one access rule) and has started a learning session on it; never its owner. The item's
  `rating_average` and `rating_count` are recomputed from the rows in the same transaction,
  with the item's row locked first, so concurrent ratings cannot lose one another.
- Listing: `/c/{slug}` for every listed item (public, paid, platform), and for an item the
  visitor may read (shared, private: not indexed); anything else is "not found".
- "Start learning" adds the item to the learner's library (a bookmark, never a grant).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service as content_service
from learningos.content.repository import ContentRepository, has_listing
from learningos.kit.audit import audit
from learningos.kit.db import utcnow
from learningos.kit.errors import AppError, Forbidden, NotFound, ValidationFailed
from learningos.kit.requestmeta import RequestMeta
from learningos.learning.service import map_with_concepts
from learningos.listing.repository import LibraryEntryRepository, RatingRepository, has_studied
from learningos.models.catalogue import ContentRating
from learningos.models.content import Content
from learningos.models.user import User

REVIEW_MAX_CHARS = 2000
MAX_PER_PAGE = 50


class NotStudied(AppError):
    status_code = 403
    code = "not_studied"
    message = "Start a learning session on this material before rating it."


class OwnItem(Forbidden):
    message = "You cannot rate your own material."


def clean_review(review: str | None) -> str | None:
    """The review as stored: trimmed, None when empty; refused over REVIEW_MAX_CHARS. HTML
    is kept as the learner typed it (it is text, escaped wherever it is shown)."""
    text = (review or "").strip()
    if len(text) > REVIEW_MAX_CHARS:
        message = f"A review may have up to {REVIEW_MAX_CHARS:,} characters."
        raise ValidationFailed(message, details=[{"field": "review", "message": message}])
    return text or None


def checked_rating(rating: object) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        message = "Choose a rating from 1 to 5 stars."
        raise ValidationFailed(message, details=[{"field": "rating", "message": message}])
    return rating


async def _rateable(session: AsyncSession, user: User, content_id: uuid.UUID) -> Content:
    content = await content_service.get_readable(session, user, content_id)  # 404 otherwise
    if content.user_id == user.id:
        raise OwnItem()
    if not await has_studied(session, user.id, content.id):
        raise NotStudied()
    return content


async def rate(
    session: AsyncSession,
    user: User,
    content_id: uuid.UUID,
    rating: int,
    review: str | None,
    meta: RequestMeta,
) -> tuple[ContentRating, bool]:
    """Create or change the learner's rating; (the row, whether it is new)."""
    content = await _rateable(session, user, content_id)
    value, text = checked_rating(rating), clean_review(review)
    repo = RatingRepository(session)
    await ContentRepository(session).lock(content.id)  # then read: nobody writes meanwhile
    row = await repo.of(content.id, user.id)
    created = row is None
    if row is None:
        row = ContentRating(content_id=content.id, user_id=user.id, rating=value, review=text)
        await repo.add(row)
    else:
        row.rating, row.review, row.updated_at = value, text, utcnow()
        await session.flush()
    await repo.recompute(content.id)
    await session.refresh(content, ["rating_average", "rating_count"])
    await audit(session, "content.rated", meta, user.id, content_id=str(content.id), rating=value)
    return row, created


async def unrate(
    session: AsyncSession, user: User, content_id: uuid.UUID, meta: RequestMeta
) -> Content:
    """Remove the learner's rating (nothing to remove is fine)."""
    content = await content_service.get_readable(session, user, content_id)
    repo = RatingRepository(session)
    await ContentRepository(session).lock(content.id)
    if await repo.remove(content.id, user.id):
        await repo.recompute(content.id)
        await session.refresh(content, ["rating_average", "rating_count"])
        await audit(session, "content.unrated", meta, user.id, content_id=str(content.id))
    return content


@dataclass(frozen=True)
class MyRating:
    """What the content page shows a learner about rating the item."""

    can_rate: bool  # not the owner and has started a session
    rating: ContentRating | None


async def my_rating(session: AsyncSession, user: User, content: Content) -> MyRating:
    """For a content page the caller may read."""
    if content.user_id == user.id or not await has_studied(session, user.id, content.id):
        return MyRating(False, None)
    return MyRating(True, await RatingRepository(session).of(content.id, user.id))


@dataclass(frozen=True)
class Review:
    rating: int
    review: str | None
    author: str
    created_at: datetime
    updated_at: datetime
    mine: bool


@dataclass(frozen=True)
class ReviewPage:
    items: list[Review]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


async def reviews_of(
    session: AsyncSession, viewer: User | None, content: Content, page: int, per_page: int
) -> ReviewPage:
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    rows, total = await RatingRepository(session).reviews(
        content.id, (page - 1) * per_page, per_page
    )
    items = [
        Review(
            rating=row.rating,
            review=row.review,
            author=name,
            created_at=row.created_at,
            updated_at=row.updated_at,
            mine=viewer is not None and row.user_id == viewer.id,
        )
        for row, name in rows
    ]
    return ReviewPage(items, total, page, per_page)


# -- the listing ------------------------------------------------------------------------------


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def find_listing(session: AsyncSession, viewer: User | None, slug_or_id: str) -> Content:
    """The item whose listing this visitor may see, by slug or id; NotFound otherwise
    (the same answer for an item that does not exist and one they may not see)."""
    repo = ContentRepository(session)
    key = slug_or_id.strip()[:120]
    content = await repo.get_listing(viewer, slug=key) if key else None
    if content is None and (content_id := _as_uuid(key)) is not None:
        content = await repo.get_listing(viewer, content_id=content_id)
    if content is None:
        raise NotFound("There is no such material.")
    return content


async def listing_by_id(
    session: AsyncSession, viewer: User | None, content_id: uuid.UUID
) -> Content:
    content = await ContentRepository(session).get_listing(viewer, content_id=content_id)
    if content is None:
        raise NotFound("There is no such material.")
    return content


@dataclass(frozen=True)
class Listing:
    content: Content
    author: str
    overview: str | None
    concepts: list[str]
    reviews: ReviewPage
    indexable: bool  # listed: search engines may index it (shared and private: noindex)
    can_read: bool
    in_library: bool


async def listing(
    session: AsyncSession, viewer: User | None, content: Content, page: int, per_page: int = 10
) -> Listing:
    """What the listing page shows: the map's overview and concept titles ("what you'll
    learn"), never the text."""
    owner = await session.get(User, content.user_id)
    learning_map, concepts = await map_with_concepts(session, content.id)
    readable = await ContentRepository(session).get_readable(content.id, viewer)
    in_library = viewer is not None and (
        content.user_id == viewer.id
        or await LibraryEntryRepository(session).has(viewer.id, content.id)
    )
    return Listing(
        content=content,
        author=owner.name if owner is not None else "",
        overview=learning_map.overview if learning_map is not None else None,
        concepts=[c.title for c in concepts if not c.hidden],
        reviews=await reviews_of(session, viewer, content, page, per_page),
        indexable=has_listing(content),
        can_read=readable is not None,
        in_library=in_library,
    )


async def start_learning(
    session: AsyncSession, user: User, slug_or_id: str, meta: RequestMeta
) -> tuple[Content, bool]:
    """Add the item to the learner's library (once; a bookmark, never a grant) and say
    whether they may open it now (a paid item not bought: not yet)."""
    content = await find_listing(session, user, slug_or_id)
    added = content.user_id != user.id and await LibraryEntryRepository(session).add_once(
        user.id, content.id
    )
    if added:
        await audit(session, "content.added_to_library", meta, user.id, content_id=str(content.id))
    readable = await ContentRepository(session).get_readable(content.id, user)
    return content, readable is not None
