from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, one_of
from learningos.models.webhooks import PaymentProvider


class PayoutMethod(StrEnum):
    """How a creator wants to be paid out (the payout issue uses it)."""

    ABA = "aba"
    PAYPAL = "paypal"
    WISE = "wise"
    BANK_TRANSFER = "bank_transfer"


class CreatorPaymentSettings(IdMixin, TimestampMixin, Base):
    """How a creator receives donations: Paddle (processed, recorded by webhook), ABA KHQR
    (their own QR image and display name, shown to donors) and PayPal (an email or a
    PayPal.me link, shown to donors). KHQR and PayPal are display only: nothing is processed
    and nothing enters the ledger."""

    __tablename__ = "creator_payment_settings"
    __table_args__ = (one_of("preferred_payout_method", PayoutMethod),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    paddle_enabled: Mapped[bool] = mapped_column(default=True)
    aba_khqr_enabled: Mapped[bool] = mapped_column(default=False)
    # The app's URL that serves the stored KHQR image, and its storage key.
    aba_khqr_image_url: Mapped[str | None] = mapped_column(String(500))
    aba_khqr_image_key: Mapped[str | None] = mapped_column(String(300))
    # The Bakong account id read from the QR (e.g. "name@aba"), shown beside the image.
    aba_khqr_account: Mapped[str | None] = mapped_column(String(100))
    aba_khqr_name: Mapped[str | None] = mapped_column(String(100))
    paypal_enabled: Mapped[bool] = mapped_column(default=False)
    # A PayPal email address or a `https://www.paypal.me/<name>` link.
    paypal_email: Mapped[str | None] = mapped_column(String(320))
    preferred_payout_method: Mapped[str | None] = mapped_column(String(16))
    payout_aba_account: Mapped[str | None] = mapped_column(String(100))
    payout_paypal_email: Mapped[str | None] = mapped_column(String(320))


class DonationStatus(StrEnum):
    """A Paddle donation: created at checkout, completed by `transaction.completed`, refunded
    by an approved refund adjustment."""

    PENDING = "pending"
    COMPLETED = "completed"
    REFUNDED = "refunded"


class Donation(IdMixin, TimestampMixin, Base):
    """One donation made through Paddle (KHQR and PayPal gifts are not processed, so have no
    row). Its money is in the ledger: a `donation` transaction when completed (key
    "paddle:txn:<transaction id>") and a `donation_refund` when refunded. It never grants
    access to anything."""

    __tablename__ = "donations"
    __table_args__ = (
        one_of("status", DonationStatus),
        one_of("payment_provider", PaymentProvider),
        CheckConstraint("amount_cents > 0", name="amount_cents"),
    )

    donor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipient_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    content_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("contents.id", ondelete="SET NULL"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    message: Mapped[str | None] = mapped_column(Text)
    payment_provider: Mapped[str] = mapped_column(String(32), default=PaymentProvider.PADDLE)
    provider_transaction_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # What Paddle kept as its fee, from the completed transaction's totals.
    fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=DonationStatus.PENDING, index=True)
    completed_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
