from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# What an owner may choose; "platform" (admins only) sets `is_platform_content`.
Visibility = Literal["private", "shared", "public", "paid", "platform"]


class VisibilityIn(BaseModel):
    visibility: Visibility
    # For "paid": the price in US cents, $0.99 to $999 (kept from before when omitted).
    price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    # Shown in listings; a paid item with buyers is unlisted instead of made private.
    listed: bool | None = None


class SplitOut(BaseModel):
    """What a sale at `price_cents` gives each party (integer cents; they sum to the price)."""

    price_cents: int
    commission_cents: int
    processor_fee_cents: int
    creator_cents: int


class VisibilityOut(BaseModel):
    id: uuid.UUID
    visibility: str
    is_platform_content: bool
    price_cents: int
    is_listed: bool
    split: SplitOut | None = None  # for a paid item: what each sale gives the creator


class InviteIn(BaseModel):
    email: str = Field(min_length=1, max_length=320)


class InviteOut(BaseModel):
    """The same answer whether or not the address has an account."""

    email: str
    status: Literal["invited"] = "invited"
    expires_at: datetime


class ShareLinkIn(BaseModel):
    days: int | None = Field(default=None, ge=1, le=30)


class ShareLinkOut(BaseModel):
    id: uuid.UUID
    url: str | None = None  # only when the link is created: the code is not stored
    expires_at: datetime
    revoked_at: datetime | None
    use_count: int
    created_at: datetime


class AccessEntry(BaseModel):
    """One line of "who has access": a grant, or an email invitation not yet opened."""

    id: uuid.UUID
    how: str  # owner, invitation, link, shared, purchased, subscriber, platform
    email: str
    name: str | None
    since: datetime
    expires_at: datetime | None
    live: bool


class AcceptOut(BaseModel):
    content_id: uuid.UUID
