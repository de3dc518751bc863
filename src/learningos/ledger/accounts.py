"""Ledger account names. Always built here, never typed by hand, so a typo cannot open a
new account. A balance is the sum of an account's entries; positive = money held for, or
owed to, that holder. Money coming in from a processor takes its clearing account negative
by the gross amount."""

from __future__ import annotations

import uuid

from learningos.models.webhooks import PaymentProvider

CREATOR_PREFIX = "creator:"
PENDING_SUFFIX = ":pending"
AVAILABLE_SUFFIX = ":available"
HOLD_SUFFIX = ":payout_hold"


def creator_pending(user_id: uuid.UUID) -> str:
    """A creator's earnings inside the refund window (not yet payable)."""
    return f"{CREATOR_PREFIX}{user_id}{PENDING_SUFFIX}"


def creator_available(user_id: uuid.UUID) -> str:
    """A creator's earnings past the refund window (payable)."""
    return f"{CREATOR_PREFIX}{user_id}{AVAILABLE_SUFFIX}"


def payout_hold(user_id: uuid.UUID) -> str:
    """Money set aside for a requested payout (no longer available, not yet paid)."""
    return f"{CREATOR_PREFIX}{user_id}{HOLD_SUFFIX}"


def platform_revenue() -> str:
    return "platform:revenue"


def processor_clearing(provider: PaymentProvider | str) -> str:
    """What the processor owes us (negative: it collected the money for us)."""
    return f"processor:{PaymentProvider(provider).value}:clearing"


def processor_fees(provider: PaymentProvider | str) -> str:
    """What the processor kept as its fee."""
    return f"processor:{PaymentProvider(provider).value}:fees"


def creator_of(account: str) -> uuid.UUID | None:
    """The creator a `creator:<uuid>:…` account belongs to; None for any other account."""
    if not account.startswith(CREATOR_PREFIX):
        return None
    middle = account[len(CREATOR_PREFIX) :].split(":", 1)[0]
    try:
        return uuid.UUID(middle)
    except ValueError:
        return None
