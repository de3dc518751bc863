"""Sales JSON API: checkout, purchase history, purchased materials, the price split."""

from __future__ import annotations

from fastapi import Query

from learningos.auth.deps import CurrentUser
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.sales import service
from learningos.sales.pricing import MAX_PRICE_CENTS, MIN_PRICE_CENTS
from learningos.sales.schemas import (
    CheckoutIn,
    CheckoutOut,
    PurchasedContentOut,
    PurchaseOut,
    SplitOut,
)

router = api_router("/api/v1", ["sales"])


@router.post("/purchase/checkout", response_model=CheckoutOut)
async def checkout(body: CheckoutIn, user: CurrentUser, services: ServicesDep, meta: MetaDep):
    """Start buying a paid item: a pending purchase and the checkout to send the buyer to
    (Lemon Squeezy, or the built-in test checkout without keys). Access opens when the
    processor's signed order arrives. 409 for your own item, one you bought, or one not for
    sale; 404 for what does not exist."""
    made = await service.start_checkout(services, user, body.content_id, meta)
    return {"purchase_id": made.purchase_id, "checkout_url": made.checkout_url}


@router.get("/purchase/history", response_model=list[PurchaseOut])
async def purchase_history(user: CurrentUser, session: SessionDep):
    """Your purchases, newest first (completed, refunded; unpaid checkouts for a day)."""
    return await service.history(session, user)


@router.get("/content/purchased", response_model=list[PurchasedContentOut])
async def purchased(user: CurrentUser, session: SessionDep):
    """The materials you bought and can read."""
    return [
        {"id": c.id, "title": c.title, "price_cents": c.price_cents, "currency": c.currency}
        for c in await service.purchased_content(session, user)
    ]


@router.get("/sales/split", response_model=SplitOut)
async def price_split(
    services: ServicesDep,
    user: CurrentUser,
    price_cents: int = Query(ge=MIN_PRICE_CENTS, le=MAX_PRICE_CENTS),
):
    """What a sale at this price gives the platform, the processor and the creator."""
    return vars(service.settings_split(price_cents, services.settings))
