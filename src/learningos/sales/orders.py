"""Applying Lemon Squeezy's order events to purchases: each runs inside the webhook
processing job's transaction, so the purchase row, the grant and the ledger transaction
commit together or not at all.

Payload facts (payments-facts.md): `meta.custom_data` carries our `purchase_id` (as a
string); `data` is the order (`type: "orders"`, `id`, `attributes.status` paid | refunded |
partial_refund | pending | failed, `subtotal` in cents before tax and `currency`)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.jobs.queue import record_job
from learningos.kit.db import utcnow
from learningos.ledger import accounts
from learningos.ledger.service import Entry, post
from learningos.models.content import Content
from learningos.models.jobs import JobName
from learningos.models.ledger import LedgerKind
from learningos.models.sales import Purchase, PurchaseStatus
from learningos.models.webhooks import PaymentProvider
from learningos.sales.repository import PurchaseGrants, PurchaseRepository
from learningos.webhooks.registry import NotReady

PROVIDER = PaymentProvider.LEMON_SQUEEZY
REF_TYPE = "purchase"


class OrderRejected(ValueError):
    """An order that must not grant anything (recorded on the webhook event as its error)."""


def sale_key(order_id: str) -> str:
    return f"sale:{PROVIDER.value}:{order_id}"


def refund_key(order_id: str) -> str:
    return f"refund:{PROVIDER.value}:{order_id}"


def sale_entries(purchase: Purchase) -> list[Entry]:
    """The sale: the processor collected the gross (its clearing account goes negative), kept
    its fee, the platform its commission, and the creator's share is pending."""
    assert purchase.seller_id is not None
    currency = purchase.currency
    legs = [
        (accounts.processor_clearing(PROVIDER), -purchase.amount_cents),
        (accounts.processor_fees(PROVIDER), purchase.processor_fee_cents),
        (accounts.platform_revenue(), purchase.platform_fee_cents),
        (accounts.creator_pending(purchase.seller_id), purchase.seller_revenue_cents),
    ]
    return [Entry(account, cents, currency) for account, cents in legs if cents != 0]


def refund_entries(purchase: Purchase) -> list[Entry]:
    """The sale reversed, leg by leg (a creator's pending balance may go negative)."""
    return [Entry(e.account, -e.amount_cents, e.currency) for e in sale_entries(purchase)]


def _order(payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    data = payload.get("data") or {}
    if not isinstance(data, dict) or data.get("type") != "orders" or not data.get("id"):
        raise OrderRejected("The event carries no order.")
    attributes = data.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise OrderRejected("The order has no attributes.")
    return str(data["id"]), attributes


def _purchase_id(payload: dict[str, Any]) -> uuid.UUID | None:
    custom = (payload.get("meta") or {}).get("custom_data") or {}
    raw = custom.get("purchase_id") if isinstance(custom, dict) else None
    try:
        return uuid.UUID(str(raw)) if raw else None
    except ValueError:
        return None


async def _locked_purchase(
    session: AsyncSession, payload: dict[str, Any], order_id: str
) -> Purchase:
    purchase_id = _purchase_id(payload)
    if purchase_id is None:
        raise OrderRejected(f"Order {order_id} names no purchase (meta.custom_data.purchase_id).")
    purchase = await PurchaseRepository(session).get_for_update(purchase_id)
    if purchase is None:
        raise OrderRejected(f"Order {order_id} names an unknown purchase {purchase_id}.")
    if purchase.provider_order_id not in (None, order_id):
        raise OrderRejected(
            f"Purchase {purchase_id} belongs to order {purchase.provider_order_id}, not {order_id}."
        )
    return purchase


def _check_amount(purchase: Purchase, order_id: str, attributes: dict[str, Any]) -> None:
    amount, currency = attributes.get("subtotal"), str(attributes.get("currency") or "")
    if type(amount) is not int or amount != purchase.amount_cents:
        raise OrderRejected(
            f"Order {order_id} is for {amount!r} {currency}, the purchase for "
            f"{purchase.amount_cents} {purchase.currency}: nothing granted."
        )
    if currency.upper() != purchase.currency:
        raise OrderRejected(
            f"Order {order_id} is in {currency!r}, the purchase in {purchase.currency}: "
            "nothing granted."
        )


def _notify(session: AsyncSession, purchase: Purchase, what: str) -> None:
    record_job(
        session,
        JobName.SALES_PURCHASE_EMAIL,
        {"purchase_id": str(purchase.id), "what": what},
        user_id=purchase.buyer_id,
    )


async def _count_sale(session: AsyncSession, content_id: uuid.UUID | None, step: int) -> None:
    if content_id is not None:
        await session.execute(
            update(Content)
            .where(Content.id == content_id)
            .values(sales_count=Content.sales_count + step)
            .execution_options(synchronize_session=False)
        )


async def order_created(session: AsyncSession, payload: dict[str, Any]) -> None:
    """A paid order for a pending purchase whose amount and currency match: the purchase is
    completed, the buyer granted, the sale posted, buyer and creator told. A replay, or the
    same order delivered again, changes nothing."""
    order_id, attributes = _order(payload)
    if attributes.get("status") != "paid":
        return  # pending or failed orders grant nothing; a later event carries the payment
    purchase = await _locked_purchase(session, payload, order_id)
    if purchase.status != PurchaseStatus.PENDING:
        return  # already applied (completed, or refunded since)
    _check_amount(purchase, order_id, attributes)
    if purchase.buyer_id is None or purchase.content_id is None or purchase.seller_id is None:
        raise OrderRejected(f"Purchase {purchase.id} lost its buyer, seller or material.")
    purchase.status, purchase.completed_at = PurchaseStatus.COMPLETED.value, utcnow()
    purchase.provider_order_id = order_id
    purchase.provider_transaction_id = str(attributes.get("identifier") or "")[:100] or None
    await session.flush()
    await PurchaseGrants(session).grant(purchase.content_id, purchase.buyer_id)
    await post(
        session,
        key=sale_key(order_id),
        kind=LedgerKind.SALE,
        entries=sale_entries(purchase),
        ref_type=REF_TYPE,
        ref_id=purchase.id,
        memo=f"Lemon Squeezy order {order_id}",
    )
    await _count_sale(session, purchase.content_id, 1)
    _notify(session, purchase, "completed")


async def order_refunded(session: AsyncSession, payload: dict[str, Any]) -> None:
    """A refunded order: the purchase is refunded, its grant revoked (another reason, such
    as a share or a subscription, still holds: those are their own rows), the sale reversed.
    Before its order was applied: NotReady (retried later). Again: nothing changes."""
    order_id, attributes = _order(payload)
    if attributes.get("status") == "partial_refund":
        raise OrderRejected(
            f"Order {order_id} was partly refunded; access and the ledger are only changed "
            "for a full refund. Settle it by hand."
        )
    purchase = await _locked_purchase(session, payload, order_id)
    if purchase.status == PurchaseStatus.PENDING:
        raise NotReady(f"Order {order_id} is not applied yet; the refund waits for it.")
    if purchase.status == PurchaseStatus.REFUNDED:
        return  # a refund of a refund: nothing more to give back
    purchase.status, purchase.refunded_at = PurchaseStatus.REFUNDED.value, utcnow()
    await session.flush()
    if purchase.content_id is not None and purchase.buyer_id is not None:
        await PurchaseGrants(session).revoke(purchase.content_id, purchase.buyer_id)
    await post(
        session,
        key=refund_key(order_id),
        kind=LedgerKind.REFUND,
        entries=refund_entries(purchase),
        ref_type=REF_TYPE,
        ref_id=purchase.id,
        memo=f"Lemon Squeezy refund of order {order_id}",
    )
    await _count_sale(session, purchase.content_id, -1)
    _notify(session, purchase, "refunded")
