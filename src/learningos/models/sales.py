"""One-time sales: creator profiles (the agreement they accepted), purchases, and copyright
takedown requests."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, one_of, utcnow
from learningos.models.webhooks import PaymentProvider


class PurchaseStatus(StrEnum):
    """A purchase waits for the processor's order (pending), is paid (completed), or was
    given back (refunded) or contested (disputed)."""

    PENDING = "pending"
    COMPLETED = "completed"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class TakedownStatus(StrEnum):
    """A copyright takedown request: new, or handled by an admin."""

    OPEN = "open"
    RESOLVED = "resolved"
    REJECTED = "rejected"


class CreatorProfile(IdMixin, TimestampMixin, Base):
    """What a creator gave when becoming one: the agreement version they accepted (and when),
    their legal name, country (ISO 3166 alpha-2) and optional tax id."""

    __tablename__ = "creator_profiles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    legal_name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    tax_id: Mapped[str | None] = mapped_column(String(64))
    agreement_version: Mapped[str] = mapped_column(String(32))
    agreement_accepted_at: Mapped[datetime] = mapped_column(default=utcnow)


class Purchase(IdMixin, Base):
    """One learner buying one content item once. Amounts in integer cents; the split is
    computed when the checkout is made (`sales.pricing.split`) and posted to the ledger
    when the order is paid. A money record outlives its buyer, seller and item (SET NULL)."""

    __tablename__ = "purchases"
    __table_args__ = (
        one_of("status", PurchaseStatus),
        one_of("payment_provider", PaymentProvider),
        CheckConstraint("amount_cents > 0", name="amount_cents"),
        Index("ix_purchases_provider_order", "payment_provider", "provider_order_id", unique=True),
    )

    buyer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contents.id", ondelete="SET NULL"), index=True
    )
    seller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    platform_fee_cents: Mapped[int] = mapped_column(BigInteger)
    processor_fee_cents: Mapped[int] = mapped_column(BigInteger)
    seller_revenue_cents: Mapped[int] = mapped_column(BigInteger)
    payment_provider: Mapped[str] = mapped_column(String(16), default=PaymentProvider.LEMON_SQUEEZY)
    provider_transaction_id: Mapped[str | None] = mapped_column(String(100))
    provider_order_id: Mapped[str | None] = mapped_column(String(100))
    checkout_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default=PurchaseStatus.PENDING, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]


class TakedownRequest(IdMixin, Base):
    """A copyright (DMCA) takedown request sent through the form on the copyright page."""

    __tablename__ = "takedown_requests"
    __table_args__ = (one_of("status", TakedownStatus),)

    reporter_name: Mapped[str] = mapped_column(String(200))
    reporter_email: Mapped[str] = mapped_column(String(320))
    content_url: Mapped[str] = mapped_column(String(1000))
    original_work: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(Text)
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=TakedownStatus.OPEN, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
