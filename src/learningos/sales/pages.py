"""Sales pages: the buy page of a paid item, the checkout button, and the live price split
shown to a creator while they type a price (the same function the API and ledger use)."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError, NotFound
from learningos.models.content import Content, Visibility
from learningos.models.sales import PurchaseStatus
from learningos.sales import service
from learningos.sales.pricing import cents_from_dollars, price_problem
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import render

router = page_router()


@router.get("/buy/{content_id}", name="buy_page")
async def buy_page(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    purchase: uuid.UUID | None = None,
) -> Response:
    """A paid item the learner cannot read yet: its price and a Buy button; after paying,
    "confirming your payment" until the order arrives (then the material itself)."""
    if await service.can_read(session, user, content_id):
        return RedirectResponse(f"/content/{content_id}", status_code=303)
    content = await session.get(Content, content_id)
    if content is None or not await service.for_sale(session, content_id):
        raise NotFound("No such material.")  # a shared or private item is not shown to others
    waiting = None
    if purchase is not None:
        try:
            waiting = await service.pending_purchase(session, user, purchase)
        except NotFound:
            waiting = None
    context = {
        "active": "library",
        "content": content,
        "for_sale": content.visibility == Visibility.PAID and content.price_cents > 0,
        "waiting": waiting is not None and waiting.status == PurchaseStatus.PENDING,
        "refunded": waiting is not None and waiting.status == PurchaseStatus.REFUNDED,
        "error": None,
    }
    return render(request, "sales/buy.html", context)


@router.post("/buy/{content_id}", name="buy_submit")
async def buy_submit(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
) -> Response:
    """Start the checkout and send the browser to it (the processor's page, or ours)."""
    await session.commit()  # the checkout opens its own transactions
    try:
        made = await service.start_checkout(services, user, content_id, meta)
    except AppError as exc:
        if exc.status_code == 404:
            raise
        content = await session.get(Content, content_id)
        context = {"active": "library", "content": content, "for_sale": True, "waiting": False,
                   "refunded": False, "error": exc.message}  # fmt: skip
        return render(request, "sales/buy.html", context, status_code=exc.status_code)
    own = services.settings.base_url.rstrip("/")
    url = made.checkout_url
    return RedirectResponse(url.removeprefix(own) if url.startswith(own + "/") else url, 303)


@router.get("/sales/split-preview", name="split_preview")
async def split_preview(
    request: Request, user: SignedIn, services: ServicesDep, price: str = ""
) -> Response:
    """The "you receive" line under the price field (htmx, as the price is typed)."""
    cents = cents_from_dollars(price)
    problem = price_problem(cents) if cents is not None else "Enter a price in dollars, e.g. 9.99."
    parts = service.settings_split(cents, services.settings) if cents and not problem else None
    return render(
        request,
        "sales/_split.html",
        {"split": parts, "problem": problem},
        layout="layouts/fragment.html",
    )
