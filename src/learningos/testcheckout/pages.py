"""The test checkout page (`/test-checkout/{kind}/{ref}`): "Test payment — no money moves",
with Pay and Refund. Refused (404) in production and whenever processor keys are set."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from learningos.deps import ServicesDep
from learningos.testcheckout import service
from learningos.testcheckout.registry import TestAction
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import render

router = page_router()


@router.get("/test-checkout/{kind}/{ref_id}", name="test_checkout")
async def test_checkout_page(
    request: Request, kind: str, ref_id: uuid.UUID, user: SignedIn, services: ServicesDep
) -> Response:
    found, described = await service.describe(services, user, kind, ref_id)
    context = {"kind": kind, "ref_id": ref_id, "item": described, "provider": found.provider}
    return render(request, "testcheckout/page.html", context)


@router.post("/test-checkout/{kind}/{ref_id}/{action}", name="test_checkout_act")
async def test_checkout_act(
    request: Request,
    kind: str,
    ref_id: uuid.UUID,
    action: TestAction,
    user: SignedIn,
    services: ServicesDep,
) -> Response:
    """Send ourselves the processor's signed webhook for this payment or refund, then go
    back to what was paid for (pay) or to this page (refund)."""
    described = await service.act(request.app, services, user, kind, ref_id, action)
    if action == TestAction.PAY:
        return RedirectResponse(described.return_url, status_code=303)
    return RedirectResponse(f"/test-checkout/{kind}/{ref_id}", status_code=303)
