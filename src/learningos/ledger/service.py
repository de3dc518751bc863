"""The ledger's rules: post balanced transactions once, derive balances, release pending
earnings after the refund window.

Every money movement is one transaction whose entries sum to zero per currency, in integer
cents, posted in the caller's database transaction (the same one as the business row it
belongs to; nothing here commits) under an idempotency key, so the same event cannot post
twice. No balance is stored: a balance is the sum of an account's entries.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import utcnow
from learningos.ledger import accounts
from learningos.ledger.repository import LedgerRepository
from learningos.models.ledger import LedgerKind

CURRENCY = re.compile(r"[A-Z]{3}")
MAX_KEY = 200
MAX_ACCOUNT = 120
RELEASE_REF = "ledger_transaction"
RELEASE_BATCH = 500


class Unbalanced(ValueError):
    """The entries do not make a valid transaction (they do not sum to zero per currency,
    an amount is zero or not integer cents, a currency or account is malformed)."""


@dataclass(frozen=True)
class Entry:
    account: str
    amount_cents: int
    currency: str = "USD"


@dataclass(frozen=True)
class Balances:
    pending: int
    available: int
    currency: str = "USD"


def check_entries(entries: Sequence[Entry]) -> str:
    """The transaction's currency (its first entry's) if `entries` make a valid
    transaction; raise Unbalanced otherwise."""
    if len(entries) < 2:
        raise Unbalanced("A transaction needs at least two entries.")
    sums: dict[str, int] = defaultdict(int)
    for entry in entries:
        # bool is an int subclass; a float or Decimal is not cents.
        if type(entry.amount_cents) is not int:
            raise Unbalanced(f"Amounts are integer cents, not {entry.amount_cents!r}.")
        if entry.amount_cents == 0:
            raise Unbalanced(f"An entry of 0 on {entry.account} moves no money.")
        if not CURRENCY.fullmatch(entry.currency):
            raise Unbalanced(f"{entry.currency!r} is not an ISO currency code.")
        if not entry.account or len(entry.account) > MAX_ACCOUNT:
            raise Unbalanced(f"{entry.account!r} is not an account name.")
        sums[entry.currency] += entry.amount_cents
    off = {currency: total for currency, total in sums.items() if total != 0}
    if off:
        shown = ", ".join(f"{total:+d} {currency}" for currency, total in sorted(off.items()))
        raise Unbalanced(f"The entries do not sum to zero: {shown}.")
    return entries[0].currency


async def post(
    session: AsyncSession,
    *,
    key: str,
    kind: LedgerKind,
    entries: Sequence[Entry],
    ref_type: str,
    ref_id: uuid.UUID,
    memo: str = "",
) -> bool:
    """Post one transaction in the caller's transaction (flushed, not committed).

    Returns False, writing nothing, when `key` was posted before — also when another
    transaction posts the same key at the same moment (it waits for that one's commit).
    Raises Unbalanced when the entries do not sum to zero per currency or an amount is 0."""
    if not key or len(key) > MAX_KEY:
        raise ValueError(f"An idempotency key has 1 to {MAX_KEY} characters.")
    currency = check_entries(entries)
    posted = await LedgerRepository(session).insert_transaction(
        key=key,
        kind=LedgerKind(kind),
        currency=currency,
        ref_type=ref_type,
        ref_id=ref_id,
        memo=memo,
        entries=[(e.account, e.amount_cents, e.currency) for e in entries],
    )
    return posted is not None


async def balance(session: AsyncSession, account: str, currency: str = "USD") -> int:
    """The account's balance in cents: the sum of its entries in `currency`."""
    return await LedgerRepository(session).sum_of(account, currency)


async def creator_balances(
    session: AsyncSession, user_id: uuid.UUID, currency: str = "USD"
) -> Balances:
    """A creator's pending (inside the refund window) and available balances."""
    pending, available = accounts.creator_pending(user_id), accounts.creator_available(user_id)
    sums = await LedgerRepository(session).sums_of([pending, available], currency)
    return Balances(sums.get(pending, 0), sums.get(available, 0), currency)


async def release_due(
    session: AsyncSession, *, window_days: int, now: datetime | None = None
) -> int:
    """Move what each transaction put into (or took out of) a creator's pending account to
    their available account, once the refund window after it has passed: one `release`
    transaction per source transaction, key "release:<id>", so running it again (or twice
    at once) releases nothing twice. Returns the number of release transactions posted."""
    cutoff = (now or utcnow()) - timedelta(days=window_days)
    repo = LedgerRepository(session)
    posted = 0
    while True:
        rows = await repo.pending_to_release(cutoff, RELEASE_BATCH)
        if not rows:
            return posted
        by_source: dict[uuid.UUID, list[Entry]] = defaultdict(list)
        for source_id, pending, currency, net in rows:
            creator = accounts.creator_of(pending)
            if net == 0 or creator is None:
                continue
            by_source[source_id] += [
                Entry(pending, -net, currency),
                Entry(accounts.creator_available(creator), net, currency),
            ]
        made = 0
        for source_id, entries in by_source.items():
            released = await post(
                session,
                key=f"release:{source_id}",
                kind=LedgerKind.RELEASE,
                entries=entries,
                ref_type=RELEASE_REF,
                ref_id=source_id,
                memo="Refund window passed: pending to available.",
            )
            made += released
        posted += made
        # A source that moved nothing net through pending stays unreleased; stop rather
        # than read the same batch again.
        if len({row[0] for row in rows}) < RELEASE_BATCH or made == 0:
            return posted
