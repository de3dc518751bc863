"""The ledger: balanced transactions in integer cents (ledger/ holds the rules).

A transaction is one money movement, posted once under its idempotency key; its entries
sum to zero per currency. No balance is stored anywhere: an account's balance is the sum
of its entries.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, one_of, utcnow


class LedgerKind(StrEnum):
    SALE = "sale"
    REFUND = "refund"
    DONATION = "donation"
    DONATION_REFUND = "donation_refund"
    RELEASE = "release"  # creator pending → available after the refund window
    SUBSCRIPTION_PAYMENT = "subscription_payment"
    SUBSCRIPTION_REFUND = "subscription_refund"
    POOL_SHARE = "pool_share"
    PAYOUT_HOLD = "payout_hold"
    PAYOUT_RELEASE = "payout_release"
    PAYOUT_PAID = "payout_paid"


class LedgerTransaction(IdMixin, Base):
    """One money movement. `ref_type`/`ref_id` name the business row it belongs to (a
    purchase, a donation; for a release, the released transaction)."""

    __tablename__ = "ledger_transactions"
    __table_args__ = (
        one_of("kind", LedgerKind),
        Index("ix_ledger_transactions_ref_type_ref_id", "ref_type", "ref_id"),
    )

    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # a LedgerKind
    currency: Mapped[str] = mapped_column(String(3))
    ref_type: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    memo: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LedgerEntry(IdMixin, Base):
    """One leg of a transaction: a signed amount on one account (positive = held for or
    owed to the account's holder)."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_account_currency", "account", "currency"),)

    transaction_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True
    )
    account: Mapped[str] = mapped_column(String(120))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
