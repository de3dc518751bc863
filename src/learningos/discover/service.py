"""The catalogue: discover (search, filters, orders, pages) and the learner's lists — shared
by the JSON API and the pages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_currency
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.discover.repository import Listed, ListingQuery, ListingRepository
from learningos.models.content import Category, ListingKind, ListingSort
from learningos.models.user import User

PER_PAGE = 20
MAX_PER_PAGE = 50
MAX_QUERY = 200
CARD_DESCRIPTION = 240  # characters of the description a card shows
CATEGORIES = list(Category)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def out(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
        }


def shorten(text: str | None, limit: int = CARD_DESCRIPTION) -> str | None:
    """The start of a description for a card: one paragraph of flowing text, cut on a word."""
    flat = " ".join((text or "").split())
    if len(flat) <= limit:
        return flat or None
    return flat[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


def price_label(price_cents: int, currency: str, locale: str = "en") -> str:
    if price_cents <= 0:
        return "FREE"
    return format_currency(price_cents / 100, currency, locale=locale)


def category_label(value: str | None) -> str | None:
    try:
        return Category(value).label if value else None
    except ValueError:
        return None


def card(row: Listed) -> dict[str, Any]:
    """What a list shows of an item (its listing card)."""
    c = row.content
    price = c.price_cents if not c.is_platform_content else 0
    return {
        "id": c.id,
        "title": c.title,
        "author_name": row.author_name or "",
        "description": shorten(c.description),
        "category": c.category,
        "category_label": category_label(c.category),
        "cover_url": c.cover_url,
        "price_cents": price,
        "currency": c.currency,
        "is_free": price == 0,
        "price_label": price_label(price, c.currency),
        "rating_average": round(c.rating_average or 0.0, 2),
        "rating_count": c.rating_count,
        "is_platform_content": c.is_platform_content,
        "learners_this_week": c.learners_week,
        "url": f"/c/{c.slug or c.id}",
        "created_at": c.created_at,
    }


def library_card(row: Listed) -> dict[str, Any]:
    """A library row; an item the learner may no longer read keeps only its title."""
    out = card(row)
    if not row.available:
        out.update(description=None, cover_url=None, category=None, category_label=None)
    return {**out, "available": row.available, "owned": row.owned, "status": row.content.status}


def listing_query(
    q: str | None = None,
    category: Category | None = None,
    kind: ListingKind | None = None,
    sort: ListingSort | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ListingQuery:
    query = " ".join((q or "").split())[:MAX_QUERY] or None
    return ListingQuery(
        q=query,
        category=category.value if category else None,
        kind=kind,
        sort=sort,
        page=page,
        per_page=per_page,
    )


async def discover(session: AsyncSession, query: ListingQuery) -> Page:
    """A page of the catalogue: listed items (public, paid, platform; ready) matching the
    search and filters, in the order asked for, with the total. The same for everyone,
    guests included."""
    rows, total = await ListingRepository(session).discover(query)
    return Page([card(r) for r in rows], total, query.page, query.per_page)


async def library(session: AsyncSession, user: User, page: int, per_page: int) -> Page:
    """The learner's own items and the ones they added from a listing."""
    rows, total = await ListingRepository(session).library(user, page, per_page)
    return Page([library_card(r) for r in rows], total, page, per_page)


async def shared_with(session: AsyncSession, user: User, page: int, per_page: int) -> Page:
    """Items shared with the learner (a live invitation or link grant)."""
    rows, total = await ListingRepository(session).shared_with(user, page, per_page)
    return Page([card(r) for r in rows], total, page, per_page)


async def platform(session: AsyncSession, user: User, page: int, per_page: int) -> Page:
    """The platform library."""
    rows, total = await ListingRepository(session).platform(user, page, per_page)
    return Page([card(r) for r in rows], total, page, per_page)
