"""Donation checks for `learningos ledger check`: every donation row and its ledger entries
agree, and no donation entry lacks its row.

- a pending donation has no ledger transaction;
- a completed one has exactly one `donation` transaction (key "paddle:txn:<its transaction
  id>") whose entries are: Paddle clearing −gross, Paddle fees +its fee_cents (when not 0), the
  recipient's pending account +(gross − fee), with gross ≤ the amount (less any tax);
- a refunded one has that transaction and exactly one `donation_refund` that negates it;
- every `donation` / `donation_refund` transaction refers to an existing donation.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ledger import accounts
from learningos.ledger.checks import register_check
from learningos.models.donations import Donation, DonationStatus
from learningos.models.ledger import LedgerEntry, LedgerKind, LedgerTransaction
from learningos.models.webhooks import PaymentProvider

KINDS = (LedgerKind.DONATION, LedgerKind.DONATION_REFUND)


async def check_donations(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        select(
            LedgerTransaction.id,
            LedgerTransaction.kind,
            LedgerTransaction.key,
            LedgerTransaction.ref_id,
            LedgerEntry.account,
            LedgerEntry.amount_cents,
        )
        .join(LedgerEntry, LedgerEntry.transaction_id == LedgerTransaction.id)
        .where(LedgerTransaction.kind.in_(KINDS))
    )
    txs: dict[uuid.UUID, dict] = {}
    for tx_id, kind, key, ref_id, account, cents in rows.all():
        tx = txs.setdefault(tx_id, {"kind": kind, "key": key, "ref": ref_id, "entries": {}})
        tx["entries"][account] = tx["entries"].get(account, 0) + cents
    by_donation: dict[uuid.UUID, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for tx in txs.values():
        by_donation[tx["ref"]][tx["kind"]].append(tx)

    problems: list[str] = []
    donations = {d.id: d for d in (await session.scalars(select(Donation))).all()}
    for ref in by_donation:
        if ref not in donations:
            problems.append(f"ledger transactions refer to donation {ref}, which does not exist")
    clearing = accounts.processor_clearing(PaymentProvider.PADDLE)
    fees = accounts.processor_fees(PaymentProvider.PADDLE)
    for donation in donations.values():
        found = by_donation.get(donation.id, {})
        gifts = found.get(LedgerKind.DONATION, [])
        refunds = found.get(LedgerKind.DONATION_REFUND, [])
        name = f"donation {donation.id} ({donation.status})"
        if donation.status == DonationStatus.PENDING:
            if gifts or refunds:
                problems.append(f"{name} is pending but has ledger entries")
            continue
        if len(gifts) != 1:
            problems.append(f"{name} has {len(gifts)} donation transactions, not 1")
            continue
        gift = gifts[0]
        entries = gift["entries"]
        if gift["key"] != f"paddle:txn:{donation.provider_transaction_id}":
            problems.append(f"{name}: its transaction's key {gift['key']} is not its Paddle id")
        gross = -entries.get(clearing, 0)
        fee = entries.get(fees, 0)
        creator = entries.get(accounts.creator_pending(donation.recipient_id), 0)
        expected = {clearing, accounts.creator_pending(donation.recipient_id)} | (
            {fees} if fee else set()
        )
        if set(entries) != expected:
            problems.append(f"{name}: entries on {sorted(entries)}, expected {sorted(expected)}")
        if not 0 < gross <= donation.amount_cents:
            problems.append(
                f"{name}: gross {gross} does not fit the amount {donation.amount_cents}"
            )
        if fee != (donation.fee_cents or 0):
            problems.append(f"{name}: fee entry {fee} but the row says {donation.fee_cents}")
        if creator != gross - fee:
            problems.append(f"{name}: the creator got {creator}, not {gross - fee}")
        if donation.status == DonationStatus.REFUNDED:
            if len(refunds) != 1:
                problems.append(f"{name} has {len(refunds)} refund transactions, not 1")
            elif {a: -c for a, c in refunds[0]["entries"].items()} != entries:
                problems.append(f"{name}: its refund does not reverse its donation")
        elif refunds:
            problems.append(f"{name} is not refunded but has a refund transaction")
    return problems


register_check("donations", check_donations)
