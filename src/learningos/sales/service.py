"""Sales, shared by the API and the pages: start a checkout for a paid item, then apply the
processor's orders and refunds (from the webhook handlers) — the purchase row, the grant and
the ledger transaction always in one database transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.config import Settings
from learningos.content.repository import ContentRepository
from learningos.kit.audit import audit
from learningos.kit.db import utcnow
from learningos.kit.errors import Conflict, NotFound
from learningos.kit.requestmeta import RequestMeta
from learningos.models.content import AccessType, Content, ContentAccess, Visibility
from learningos.models.sales import Purchase, PurchaseStatus
from learningos.models.user import User
from learningos.models.webhooks import PaymentProvider
from learningos.sales import lemonsqueezy
from learningos.sales.pricing import Split, split
from learningos.sales.repository import PurchaseRepository
from learningos.services import Services

PENDING_SHOWN_FOR = timedelta(days=1)  # an abandoned checkout leaves the history after this


def settings_split(price_cents: int, settings: Settings) -> Split:
    """The split of a sale at this price with the configured processor fee."""
    return split(
        price_cents, settings.processor_fee_basis_points, settings.processor_fee_fixed_cents
    )


@dataclass(frozen=True)
class Checkout:
    purchase_id: uuid.UUID
    checkout_url: str


async def _sellable(session: AsyncSession, buyer: User, content_id: uuid.UUID) -> Content:
    """The item the buyer may buy: paid, not theirs, not already bought (409 otherwise; 404
    for what does not exist or is private)."""
    content = await session.get(Content, content_id)
    if content is None or content.visibility != Visibility.PAID:
        # Not for sale: said only to who may read it; to anyone else it does not exist.
        if content is not None and await ContentRepository(session).get_readable(content_id, buyer):
            raise Conflict("This material is not for sale.")
        raise NotFound("No such material.")
    if content.user_id == buyer.id:
        raise Conflict("This material is yours: there is nothing to buy.")
    if content.price_cents <= 0:
        raise Conflict("This material is not for sale.")
    if await PurchaseRepository(session).completed_of(buyer.id, content.id) is not None:
        raise Conflict("You have already bought this material.")
    return content


async def _open_purchase(
    services: Services, buyer: User, content_id: uuid.UUID, meta: RequestMeta
) -> tuple[Purchase, str]:
    async with services.db.transaction() as session:
        await services.limiter.hit(
            services.settings.checkout_limit_per_user, "checkout", str(buyer.id)
        )
        content = await _sellable(session, buyer, content_id)
        parts = settings_split(content.price_cents, services.settings)
        purchase = Purchase(
            buyer_id=buyer.id,
            content_id=content.id,
            seller_id=content.user_id,
            amount_cents=content.price_cents,
            currency=content.currency or "USD",
            platform_fee_cents=parts.commission_cents,
            processor_fee_cents=parts.processor_fee_cents,
            seller_revenue_cents=parts.creator_cents,
            payment_provider=PaymentProvider.LEMON_SQUEEZY,
        )
        session.add(purchase)
        await session.flush()
        await audit(
            session,
            "sales.checkout_started",
            meta,
            buyer.id,
            purchase_id=str(purchase.id),
            content_id=str(content.id),
            amount_cents=purchase.amount_cents,
        )
        return purchase, content.title


async def start_checkout(
    services: Services, buyer: User, content_id: uuid.UUID, meta: RequestMeta
) -> Checkout:
    """A pending purchase (committed first), then the processor's checkout created outside
    any transaction, then its URL stored. Without processor keys (never in production) the
    URL is the built-in test checkout's."""
    purchase, title = await _open_purchase(services, buyer, content_id, meta)
    settings = services.settings
    base = settings.base_url.rstrip("/")
    if settings.test_checkout_enabled:
        url = f"{base}/test-checkout/sale/{purchase.id}"
    else:
        url = await lemonsqueezy.create_checkout(
            settings,
            lemonsqueezy.CheckoutRequest(
                purchase_id=purchase.id,
                price_cents=purchase.amount_cents,
                product_name=title,
                redirect_url=f"{base}/content/{content_id}?purchase={purchase.id}",
                email=buyer.email,
                name=buyer.name,
                expires_at=utcnow() + timedelta(days=1),
            ),
        )
    async with services.db.transaction() as session:
        row = await session.get(Purchase, purchase.id)
        assert row is not None
        row.checkout_url = url[:1000]
    return Checkout(purchase.id, url)


async def history(session: AsyncSession, buyer: User) -> list[dict[str, object]]:
    """The buyer's purchases, newest first; checkouts never paid leave it after a day."""
    cutoff = utcnow() - PENDING_SHOWN_FOR
    rows = await PurchaseRepository(session).history(buyer.id)
    return [
        {
            "id": purchase.id,
            "content_id": purchase.content_id,
            "title": title,
            "amount_cents": purchase.amount_cents,
            "currency": purchase.currency,
            "status": purchase.status,
            "created_at": purchase.created_at,
            "completed_at": purchase.completed_at,
            "refunded_at": purchase.refunded_at,
        }
        for purchase, title in rows
        if purchase.status != PurchaseStatus.PENDING or purchase.created_at >= cutoff
    ]


async def purchased_content(session: AsyncSession, user: User) -> list[Content]:
    """The items the learner bought and may still read (`readable_by` with a live
    purchase grant)."""
    now = utcnow()
    bought = exists().where(
        ContentAccess.content_id == Content.id,
        ContentAccess.user_id == user.id,
        ContentAccess.access_type == AccessType.PURCHASED,
        ContentAccess.revoked_at.is_(None),
    )
    query = ContentRepository(session).readable_by(user, now).where(bought)
    return list(await session.scalars(query.order_by(Content.title)))


async def pending_purchase(session: AsyncSession, buyer: User, purchase_id: uuid.UUID) -> Purchase:
    purchase = await session.get(Purchase, purchase_id)
    if purchase is None or purchase.buyer_id != buyer.id:
        raise NotFound("No such purchase.")
    return purchase


async def can_read(session: AsyncSession, user: User, content_id: uuid.UUID) -> bool:
    return await ContentRepository(session).get_readable(content_id, user) is not None


async def has_purchase(session: AsyncSession, user: User, content_id: uuid.UUID) -> bool:
    return await PurchaseRepository(session).completed_of(user.id, content_id) is not None


async def for_sale(session: AsyncSession, content_id: uuid.UUID) -> bool:
    """A paid item anyone may buy (not private)."""
    content = await session.get(Content, content_id)
    return content is not None and content.visibility == Visibility.PAID
