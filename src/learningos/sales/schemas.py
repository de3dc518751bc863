from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel


class CheckoutIn(BaseModel):
    content_id: uuid.UUID


class CheckoutOut(BaseModel):
    purchase_id: uuid.UUID
    checkout_url: str


class PurchaseOut(BaseModel):
    id: uuid.UUID
    content_id: uuid.UUID | None
    title: str | None
    amount_cents: int
    currency: str
    status: str
    created_at: datetime
    completed_at: datetime | None
    refunded_at: datetime | None


class PurchasedContentOut(BaseModel):
    id: uuid.UUID
    title: str
    price_cents: int
    currency: str


class SplitOut(BaseModel):
    price_cents: int
    commission_cents: int
    processor_fee_cents: int
    creator_cents: int
