"""Ratings, reviews and library entries: the queries of the listing domain."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from learningos.kit.db import utcnow
from learningos.kit.repository import Repository
from learningos.models.catalogue import ContentRating, LibraryEntry
from learningos.models.content import Content
from learningos.models.learning import LearningSession
from learningos.models.user import User


class RatingRepository(Repository[ContentRating]):
    model = ContentRating

    async def of(self, content_id: uuid.UUID, user_id: uuid.UUID) -> ContentRating | None:
        return await self.first(
            select(ContentRating).where(
                ContentRating.content_id == content_id, ContentRating.user_id == user_id
            )
        )

    async def remove(self, content_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        row = await self.of(content_id, user_id)
        if row is None:
            return False
        await self.session.delete(row)
        await self.session.flush()
        return True

    async def recompute(self, content_id: uuid.UUID) -> None:
        """Set the item's `rating_average` and `rating_count` from its rating rows, in one
        statement (the caller holds the item's row lock)."""
        mine = ContentRating.content_id == content_id
        count = select(func.count(ContentRating.id)).where(mine).scalar_subquery()
        average = (
            select(func.coalesce(func.avg(ContentRating.rating), 0.0)).where(mine)
        ).scalar_subquery()
        await self.session.execute(
            update(Content)
            .where(Content.id == content_id)
            .values(rating_count=count, rating_average=average)
            .execution_options(synchronize_session=False)
        )

    async def reviews(
        self, content_id: uuid.UUID, offset: int, limit: int
    ) -> tuple[list[tuple[ContentRating, str]], int]:
        """A page of the item's ratings with their authors' names, newest first, and the
        total."""
        total = await self.session.scalar(
            select(func.count()).where(ContentRating.content_id == content_id)
        )
        rows = await self.session.execute(
            select(ContentRating, User.name)
            .join(User, User.id == ContentRating.user_id)
            .where(ContentRating.content_id == content_id)
            .order_by(ContentRating.updated_at.desc(), ContentRating.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return [(rating, name) for rating, name in rows.all()], int(total or 0)

    async def aggregate(self, content_id: uuid.UUID) -> tuple[float, int]:
        """(average, count) computed from the rows (for checks; pages read the item's)."""
        row = (
            await self.session.execute(
                select(func.coalesce(func.avg(ContentRating.rating), 0.0), func.count()).where(
                    ContentRating.content_id == content_id
                )
            )
        ).one()
        return float(row[0]), int(row[1])


async def has_studied(session: Any, user_id: uuid.UUID, content_id: uuid.UUID) -> bool:
    """Whether the learner has started a learning session on the item."""
    return bool(
        await session.scalar(
            select(
                exists().where(
                    LearningSession.user_id == user_id, LearningSession.content_id == content_id
                )
            )
        )
    )


class LibraryEntryRepository(Repository[LibraryEntry]):
    model = LibraryEntry

    async def has(self, user_id: uuid.UUID, content_id: uuid.UUID) -> bool:
        return bool(
            await self.session.scalar(
                select(
                    exists().where(
                        LibraryEntry.user_id == user_id, LibraryEntry.content_id == content_id
                    )
                )
            )
        )

    async def add_once(self, user_id: uuid.UUID, content_id: uuid.UUID) -> bool:
        """Add the entry unless it is there (also when added at the same moment elsewhere);
        True when this call added it."""
        if await self.has(user_id, content_id):
            return False
        try:
            async with self.session.begin_nested():
                self.session.add(
                    LibraryEntry(user_id=user_id, content_id=content_id, added_at=utcnow())
                )
        except IntegrityError:
            return False
        return True
