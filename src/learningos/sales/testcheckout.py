"""The test checkout's "sale" kind: Lemon Squeezy `order_created` / `order_refunded` bodies
for a purchase, in Lemon Squeezy's webhook format (JSON:API order under `data`, our
`purchase_id` in `meta.custom_data`)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import utcnow
from learningos.models.content import Content
from learningos.models.sales import Purchase, PurchaseStatus
from learningos.models.user import User
from learningos.models.webhooks import PaymentProvider
from learningos.testcheckout.registry import Described, TestAction, TestKind, register

TEST_STORE_ID = 1
TEST_VARIANT_ID = 1


def test_order_id(purchase: Purchase) -> str:
    """A stable numeric order id per purchase (Lemon Squeezy's ids are numbers as strings),
    so paying twice delivers the same order."""
    return str(purchase.id.int % 900_000_000 + 100_000_000)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def order_payload(
    purchase: Purchase,
    event_name: str,
    *,
    title: str,
    email: str,
    name: str,
    updated_at: datetime,
    refunded: bool = False,
    custom: dict[str, str] | None = None,
    total: int | None = None,
    currency: str | None = None,
) -> dict[str, Any]:
    """An order webhook as Lemon Squeezy sends it (`total`/`currency` override the
    purchase's, for tests of a mismatch)."""
    order_id = test_order_id(purchase)
    amount = purchase.amount_cents if total is None else total
    attributes = {
        "store_id": TEST_STORE_ID,
        "customer_id": 1,
        "identifier": str(uuid.uuid5(uuid.NAMESPACE_URL, f"order:{order_id}")),
        "order_number": int(order_id) % 100_000,
        "user_name": name,
        "user_email": email,
        "currency": currency or purchase.currency,
        "currency_rate": "1.0000",
        "subtotal": amount,
        "setup_fee": 0,
        "discount_total": 0,
        "tax": 0,
        "total": amount,
        "refunded_amount": amount if refunded else 0,
        "subtotal_usd": amount,
        "setup_fee_usd": 0,
        "discount_total_usd": 0,
        "tax_usd": 0,
        "total_usd": amount,
        "refunded_amount_usd": amount if refunded else 0,
        "tax_name": None,
        "tax_rate": "0.00",
        "tax_inclusive": False,
        "status": "refunded" if refunded else "paid",
        "status_formatted": "Refunded" if refunded else "Paid",
        "refunded": refunded,
        "refunded_at": _iso(updated_at) if refunded else None,
        "subtotal_formatted": f"${amount / 100:,.2f}",
        "total_formatted": f"${amount / 100:,.2f}",
        "first_order_item": {
            "id": int(order_id),
            "order_id": int(order_id),
            "product_id": 1,
            "variant_id": TEST_VARIANT_ID,
            "product_name": title,
            "variant_name": "Default",
            "price": amount,
            "quantity": 1,
            "created_at": _iso(purchase.created_at),
            "updated_at": _iso(purchase.created_at),
            "test_mode": True,
        },
        "urls": {"receipt": f"https://app.lemonsqueezy.com/my-orders/{order_id}"},
        "created_at": _iso(purchase.created_at),
        "updated_at": _iso(updated_at),
        "test_mode": True,
    }
    return {
        "meta": {
            "test_mode": True,
            "event_name": event_name,
            "webhook_id": str(uuid.uuid4()),
            "custom_data": custom if custom is not None else {"purchase_id": str(purchase.id)},
        },
        "data": {
            "type": "orders",
            "id": order_id,
            "attributes": attributes,
            "relationships": {
                "store": {"links": {"related": f"https://api.lemonsqueezy.com/v1/orders/{order_id}/store"}},
                "customer": {"links": {"related": f"https://api.lemonsqueezy.com/v1/orders/{order_id}/customer"}},
            },
            "links": {"self": f"https://api.lemonsqueezy.com/v1/orders/{order_id}"},
        },
    }  # fmt: skip


async def describe_sale(session: AsyncSession, user: User, ref_id: uuid.UUID) -> Described | None:
    purchase = await session.get(Purchase, ref_id)
    if purchase is None or purchase.buyer_id != user.id:
        return None
    content = await session.get(Content, purchase.content_id) if purchase.content_id else None
    return Described(
        title=content.title if content else "A material",
        amount_cents=purchase.amount_cents,
        currency=purchase.currency,
        return_url=f"/content/{purchase.content_id}?purchase={purchase.id}",
        can_pay=purchase.status == PurchaseStatus.PENDING,
        can_refund=purchase.status == PurchaseStatus.COMPLETED,
    )


async def build_sale(
    session: AsyncSession, ref_id: uuid.UUID, action: TestAction
) -> list[tuple[str, bytes]]:
    purchase = await session.get(Purchase, ref_id)
    assert purchase is not None
    content = await session.get(Content, purchase.content_id) if purchase.content_id else None
    buyer = await session.get(User, purchase.buyer_id) if purchase.buyer_id else None
    title = content.title if content else "A material"
    email, name = (buyer.email, buyer.name) if buyer else ("", "")
    if action == TestAction.PAY:
        event, moment, refunded = "order_created", purchase.created_at, False
    else:
        event, moment, refunded = "order_refunded", utcnow(), True
    body = order_payload(
        purchase, event, title=title, email=email, name=name, updated_at=moment,
        refunded=refunded,
    )  # fmt: skip
    return [(event, json.dumps(body).encode())]


register(
    TestKind(
        kind="sale",
        provider=PaymentProvider.LEMON_SQUEEZY.value,
        describe=describe_sale,
        build=build_sale,
    )
)
