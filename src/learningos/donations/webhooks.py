"""Paddle's events for donations, run by the webhook inbox inside its processing job's
transaction (so the donation row, its ledger transaction and the notification job commit
together, or not at all).

- `transaction.completed` carrying our `custom_data.donation_id`: the donation completes and
  one `donation` ledger transaction is posted under the key "paddle:txn:<transaction id>":
  the processor's clearing account −gross, its fees account +fee, the creator's pending
  account +the rest (the platform takes 0 %). Gross is the transaction's total less any tax
  Paddle collected (which is never ours). The creator is told by email and in the app.
  An unknown donation id, or an amount or currency that is not the donation's, fails the event
  with the reason (nothing changes). A replay changes nothing.
- `adjustment.created` / `adjustment.updated` with action refund (or chargeback) and status
  approved: the donation is refunded and its ledger transaction reversed exactly
  ("donation_refund:<donation id>"); a creator's balance may go negative. Pending or rejected
  adjustments change nothing. A refund that arrives before its donation completed waits
  (NotReady) and is retried.

A donation never grants access to anything.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.donations.service import notify_creator
from learningos.kit.db import utcnow
from learningos.ledger import accounts
from learningos.ledger.service import Entry, post
from learningos.models.donations import Donation, DonationStatus
from learningos.models.ledger import LedgerEntry, LedgerKind, LedgerTransaction
from learningos.models.webhooks import PaymentProvider, WebhookEvent
from learningos.webhooks.registry import NotReady, handles

PADDLE = PaymentProvider.PADDLE
REF_TYPE = "donation"
REVERSING_ACTIONS = ("refund", "chargeback")


class DonationEventError(ValueError):
    """The event does not fit a donation; recorded on the event, nothing changes."""


def completion_key(transaction_id: str) -> str:
    return f"paddle:txn:{transaction_id}"


def refund_key(donation_id: uuid.UUID) -> str:
    return f"donation_refund:{donation_id}"


def _cents(value: Any, what: str) -> int:
    """Paddle's amounts are strings of minor units ("500")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise DonationEventError(f"{what} is not an amount in cents: {value!r}")


def donation_entries(recipient_id: uuid.UUID, gross: int, fee: int, currency: str) -> list[Entry]:
    entries = [Entry(accounts.processor_clearing(PADDLE), -gross, currency)]
    if fee:
        entries.append(Entry(accounts.processor_fees(PADDLE), fee, currency))
    entries.append(Entry(accounts.creator_pending(recipient_id), gross - fee, currency))
    return entries


async def _locked(session: AsyncSession, *where: Any) -> Donation | None:
    return await session.scalar(select(Donation).where(*where).with_for_update())


@handles(PADDLE, "transaction.completed")
async def on_transaction_completed(
    session: AsyncSession, event: WebhookEvent, payload: dict[str, Any]
) -> None:
    data = payload.get("data")
    if not isinstance(data, dict):
        raise DonationEventError("the event has no transaction (data)")
    custom = data.get("custom_data") or {}
    raw_id = custom.get("donation_id") if isinstance(custom, dict) else None
    if raw_id is None:
        return  # not a donation (no other Paddle transactions yet): nothing to do
    try:
        donation_id = uuid.UUID(str(raw_id))
    except ValueError as exc:
        raise DonationEventError(f"custom_data.donation_id {raw_id!r} is not an id") from exc
    txn_id = data.get("id")
    if not isinstance(txn_id, str) or not txn_id:
        raise DonationEventError("the transaction has no id")
    donation = await _locked(session, Donation.id == donation_id)
    if donation is None:
        raise DonationEventError(f"unknown donation {donation_id}")
    if donation.status != DonationStatus.PENDING:
        if donation.provider_transaction_id == txn_id:
            return  # a replay or a duplicate: already applied
        raise DonationEventError(
            f"donation {donation_id} was already {donation.status} by another transaction"
        )
    if donation.provider_transaction_id not in (None, txn_id):
        raise DonationEventError(
            f"donation {donation_id} belongs to transaction {donation.provider_transaction_id}, "
            f"not {txn_id}"
        )
    totals = (data.get("details") or {}).get("totals") or {}
    total = _cents(totals.get("total"), "details.totals.total")
    tax = _cents(totals.get("tax") or "0", "details.totals.tax")
    fee = _cents(totals.get("fee") or "0", "details.totals.fee")
    currency = str(data.get("currency_code") or totals.get("currency_code") or "")
    if currency != donation.currency:
        raise DonationEventError(
            f"currency mismatch: the transaction is in {currency}, the donation in "
            f"{donation.currency}"
        )
    if total != donation.amount_cents:
        raise DonationEventError(
            f"amount mismatch: the transaction's total is {total}, the donation is "
            f"{donation.amount_cents} cents"
        )
    gross = total - tax
    if not 0 <= fee < gross:
        raise DonationEventError(f"the fee {fee} does not fit the amount {gross}")
    posted = await post(
        session,
        key=completion_key(txn_id),
        kind=LedgerKind.DONATION,
        entries=donation_entries(donation.recipient_id, gross, fee, currency),
        ref_type=REF_TYPE,
        ref_id=donation.id,
        memo=f"Donation {donation.id} through Paddle {txn_id}",
    )
    donation.status = DonationStatus.COMPLETED
    donation.provider_transaction_id = txn_id
    donation.fee_cents = fee
    donation.completed_at = utcnow()
    await session.flush()
    if posted:
        await notify_creator(session, donation)


async def _on_adjustment(session: AsyncSession, payload: dict[str, Any]) -> None:
    data = payload.get("data")
    if not isinstance(data, dict):
        raise DonationEventError("the event has no adjustment (data)")
    if data.get("action") not in REVERSING_ACTIONS or data.get("status") != "approved":
        return  # a credit, a pending or a rejected refund: no money moved back
    txn_id = data.get("transaction_id")
    if not isinstance(txn_id, str) or not txn_id:
        raise DonationEventError("the adjustment has no transaction_id")
    donation = await _locked(session, Donation.provider_transaction_id == txn_id)
    if donation is None or donation.status == DonationStatus.PENDING:
        raise NotReady(f"no completed donation for transaction {txn_id} yet")
    if donation.status == DonationStatus.REFUNDED:
        return  # a replay, or a second adjustment of a refunded donation
    totals = data.get("totals") or {}
    refunded = _cents(totals.get("total"), "totals.total")
    if data.get("type") == "partial" or refunded != donation.amount_cents:
        raise DonationEventError(
            f"partial refunds of donations are not supported ({refunded} of "
            f"{donation.amount_cents} cents); refund the donation in full"
        )
    original = await _original_entries(session, txn_id)
    await post(
        session,
        key=refund_key(donation.id),
        kind=LedgerKind.DONATION_REFUND,
        entries=[Entry(e.account, -e.amount_cents, e.currency) for e in original],
        ref_type=REF_TYPE,
        ref_id=donation.id,
        memo=f"Refund of donation {donation.id} (Paddle adjustment {data.get('id')})",
    )
    donation.status = DonationStatus.REFUNDED
    donation.refunded_at = utcnow()
    await session.flush()


async def _original_entries(session: AsyncSession, txn_id: str) -> list[Entry]:
    rows = await session.execute(
        select(LedgerEntry.account, LedgerEntry.amount_cents, LedgerEntry.currency)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerEntry.transaction_id)
        .where(LedgerTransaction.key == completion_key(txn_id))
        .order_by(LedgerEntry.amount_cents)
    )
    entries = [Entry(account, cents, currency) for account, cents, currency in rows.all()]
    if not entries:
        raise DonationEventError(f"the donation of transaction {txn_id} has no ledger entries")
    return entries


@handles(PADDLE, "adjustment.created")
async def on_adjustment_created(
    session: AsyncSession, event: WebhookEvent, payload: dict[str, Any]
) -> None:
    await _on_adjustment(session, payload)


@handles(PADDLE, "adjustment.updated")
async def on_adjustment_updated(
    session: AsyncSession, event: WebhookEvent, payload: dict[str, Any]
) -> None:
    await _on_adjustment(session, payload)
