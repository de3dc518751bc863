from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class ListingOut(BaseModel):
    """An item's card in a list: what its listing shows, never its text."""

    id: uuid.UUID
    title: str
    author_name: str
    description: str | None  # shortened for the card
    category: str | None
    category_label: str | None
    cover_url: str | None  # None: the page draws a placeholder
    price_cents: int
    currency: str
    is_free: bool
    price_label: str  # "FREE" or the price, e.g. "$4.99"
    rating_average: float
    rating_count: int
    is_platform_content: bool
    learners_this_week: int
    url: str  # the public listing, /c/{slug or id}
    created_at: datetime


class LibraryItemOut(ListingOut):
    """A library row: whether the learner may still read it, and whether it is theirs."""

    available: bool
    owned: bool
    status: str


class ListingPage(BaseModel):
    items: list[ListingOut]
    total: int
    page: int
    per_page: int
    pages: int


class LibraryPage(BaseModel):
    items: list[LibraryItemOut]
    total: int
    page: int
    per_page: int
    pages: int


class CategoryOut(BaseModel):
    value: str
    label: str
