"""`/admin/webhooks`: the inbox for administrators — every event with its status and error,
and a "Re-run" button (the same service call as `learningos webhooks replay`, queued)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import Forbidden
from learningos.models.user import Role, User
from learningos.models.webhooks import WebhookStatus
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import redirect_with_flash, render
from learningos.webhooks import service

router = page_router()
PAGE_SIZE = 50


def _admin(user: User) -> User:
    if user.role != Role.ADMIN:
        raise Forbidden("Only administrators can see the webhook inbox.")
    return user


@router.get("/admin/webhooks", name="admin_webhooks")
async def webhooks_page(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    status: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:
    _admin(user)
    chosen = WebhookStatus(status) if status in set(WebhookStatus) else None
    events, total = await service.page(session, chosen, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    context = {
        "active": "admin",
        "events": events,
        "total": total,
        "status": chosen.value if chosen else "",
        "statuses": list(WebhookStatus),
        "page": page,
        "has_next": page * PAGE_SIZE < total,
    }
    return render(request, "webhooks/admin.html", context)


@router.post("/admin/webhooks/{event_id}/rerun", name="admin_webhook_rerun")
async def rerun_submit(
    event_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
) -> Response:
    _admin(user)
    await service.rerun(session, services, event_id, meta, user.id)
    return redirect_with_flash("/admin/webhooks", "webhook_rerun")
