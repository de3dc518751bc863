"""Catalogue queries: the discover listing (search, filters, orders, a page with its total)
and the learner's lists (library, shared with me, platform library).

What may be listed is `listed()`; what a learner may read is `readable_by` — both in the
content repository, the only places those rules are written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content.repository import ContentRepository, listed, live_grant
from learningos.discover import search
from learningos.kit.db import utcnow
from learningos.models.catalogue import LibraryEntry
from learningos.models.content import (
    AccessType,
    Content,
    ContentStatus,
    ListingKind,
    ListingSort,
    Visibility,
)
from learningos.models.user import User


@dataclass(frozen=True)
class ListingQuery:
    q: str | None = None
    category: str | None = None
    kind: ListingKind | None = None
    sort: ListingSort | None = None  # None: relevance with a query, popular without
    page: int = 1
    per_page: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Listed:
    """One row of a list: the item, its author's name and, in the library, whether the
    learner may still read it."""

    content: Content
    author_name: str
    available: bool = True
    owned: bool = False


def _kind_filter(kind: ListingKind) -> ColumnElement[bool]:
    if kind == ListingKind.PLATFORM:
        return Content.is_platform_content.is_(True)
    if kind == ListingKind.PAID:
        return and_(Content.visibility == Visibility.PAID, Content.is_platform_content.is_(False))
    return or_(Content.visibility == Visibility.PUBLIC, Content.is_platform_content.is_(True))


class ListingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = search.dialect_of(session)

    def _filtered(self, query: ListingQuery) -> tuple[Select[Any], ColumnElement[Any] | None]:
        """The listed items matching the query and filters (ids only), with the search rank."""
        stmt = select(Content.id).where(listed())
        rank: ColumnElement[Any] | None = None
        if query.q:
            if self.dialect == "postgresql":
                stmt = stmt.where(search.pg_matches(query.q))
                rank = search.pg_rank(query.q)
            else:
                match = search.fts5_query(query.q)
                if match is None:
                    return stmt.where(Content.id.is_(None)), None
                stmt = stmt.join(search.fts, search.fts5_join_on()).where(
                    search.fts5_matches(match)
                )
                rank = search.fts5_rank()
        if query.category:
            stmt = stmt.where(Content.category == query.category)
        if query.kind:
            stmt = stmt.where(_kind_filter(query.kind))
        return stmt, rank

    async def discover(
        self, query: ListingQuery, now: datetime | None = None
    ) -> tuple[list[Listed], int]:
        """One page of the catalogue and the number of items matching in all."""
        now = now or utcnow()
        filtered, rank = self._filtered(query)
        total = await self.session.scalar(select(func.count()).select_from(filtered.subquery()))
        if not total:
            return [], 0
        sort = query.sort or (None if rank is not None else ListingSort.POPULAR)
        orders: dict[ListingSort | None, list[Any]] = {
            None: [rank.desc() if rank is not None else Content.created_at.desc()],
            ListingSort.POPULAR: [Content.learners_week.desc(), Content.rating_average.desc()],
            ListingSort.NEW: [Content.created_at.desc()],
            ListingSort.RATING: [Content.rating_average.desc(), Content.rating_count.desc()],
            ListingSort.PRICE: [Content.price_cents.asc()],
        }
        order = orders[sort]
        stmt = (
            filtered.with_only_columns(Content, User.name)
            .join(User, User.id == Content.user_id)
            .order_by(*order, Content.created_at.desc(), Content.id)
            .offset(query.offset)
            .limit(query.per_page)
        )
        rows = await self.session.execute(stmt)
        return [Listed(c, name) for c, name in rows], int(total)

    async def _page(
        self, stmt: Select[Any], page: int, per_page: int, now: datetime
    ) -> tuple[list[tuple[Any, ...]], int]:
        total = await self.session.scalar(
            select(func.count()).select_from(stmt.with_only_columns(Content.id).subquery())
        )
        rows = await self.session.execute(
            stmt.add_columns(User.name)
            .join(User, User.id == Content.user_id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
        return [tuple(r) for r in rows], int(total or 0)

    async def library(
        self, user: User, page: int, per_page: int, now: datetime | None = None
    ) -> tuple[list[Listed], int]:
        """What the learner owns and what they added from a listing, newest first. An added
        item the access rule no longer lets them read stays, marked unavailable."""
        now = now or utcnow()
        entry = and_(LibraryEntry.content_id == Content.id, LibraryEntry.user_id == user.id)
        stmt = (
            select(Content)
            .outerjoin(LibraryEntry, entry)
            .where(or_(Content.user_id == user.id, LibraryEntry.id.is_not(None)))
            .order_by(func.coalesce(LibraryEntry.added_at, Content.created_at).desc(), Content.id)
        )
        rows, total = await self._page(stmt, page, per_page, now)
        readable = await ContentRepository(self.session).readable_ids(user, [r[0].id for r in rows])
        return [Listed(c, name, c.id in readable, c.user_id == user.id) for c, name in rows], total

    async def shared_with(
        self, user: User, page: int, per_page: int, now: datetime | None = None
    ) -> tuple[list[Listed], int]:
        """Items shared with the learner through a live grant (an invitation or a link) that
        they may read now, newest first."""
        now = now or utcnow()
        stmt = (
            ContentRepository(self.session)
            .readable_by(user, now)
            .where(
                Content.user_id != user.id,
                live_grant(user.id, now, access_type=AccessType.SHARED),
            )
            .order_by(Content.created_at.desc(), Content.id)
        )
        rows, total = await self._page(stmt, page, per_page, now)
        return [Listed(c, name) for c, name in rows], total

    async def platform(
        self, user: User, page: int, per_page: int, now: datetime | None = None
    ) -> tuple[list[Listed], int]:
        """The platform library (ready items), newest first."""
        now = now or utcnow()
        stmt = (
            ContentRepository(self.session)
            .readable_by(user, now)
            .where(Content.is_platform_content.is_(True), Content.status == ContentStatus.READY)
            .order_by(Content.created_at.desc(), Content.id)
        )
        rows, total = await self._page(stmt, page, per_page, now)
        return [Listed(c, name) for c, name in rows], total
