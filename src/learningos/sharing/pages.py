"""Sharing pages: `/s/{code}` and the share panel (a dialog on the content page, or a page
of its own without JavaScript). Every action calls the sharing service, as the API does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.content import service as content_service
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError, ValidationFailed
from learningos.models.content import Visibility
from learningos.models.user import Role, User
from learningos.sales.pricing import cents_from_dollars
from learningos.sales.service import settings_split
from learningos.sharing import service
from learningos.sharing.endpoints import share_url
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import redirect_with_flash, render

router = page_router()

VISIBILITY_CHOICES = ("private", "shared", "public", "paid", "platform")


@router.get("/s/{code}", name="share_code")
async def open_code(
    request: Request, code: str, user: PageUser, session: SessionDep, meta: MetaDep
) -> Response:
    """Open a share link or invitation: signed in, get access and go to the item; signed
    out, sign in or register first (then this page again)."""
    if user is None:
        here = request.url.path
        return render(request, "sharing/sign_in.html", {"next": here}, layout="layouts/public.html")
    content_id = await service.accept(session, user, code, meta)
    return redirect_with_flash(f"/content/{content_id}", "share_opened")


async def _panel(
    request: Request,
    session: SessionDep,
    user: User,
    content_id: uuid.UUID,
    *,
    new_url: str | None = None,
    message: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    content = await content_service.get_owned(session, user, content_id)
    context = {
        "active": "library",
        "content": content,
        "current": "platform" if content.is_platform_content else content.visibility,
        "choices": [c for c in VISIBILITY_CHOICES if c != "platform" or user.role == Role.ADMIN],
        "entries": await service.access_list(session, user, content_id),
        "links": await service.links(session, user, content_id),
        "new_url": new_url,
        "split": settings_split(content.price_cents, request.app.state.services.settings)
        if content.price_cents > 0
        else None,
        "message": message,
        "error": error,
    }
    return render(request, "sharing/panel.html", context, status_code=status_code, headers=headers)


@router.get("/content/{content_id}/share", name="share_panel")
async def share_panel(
    request: Request, content_id: uuid.UUID, user: SignedIn, session: SessionDep
) -> Response:
    return await _panel(request, session, user, content_id)


async def _act(
    request: Request,
    session: SessionDep,
    user: User,
    content_id: uuid.UUID,
    action: Callable[[], Awaitable[str | None]],
    done: str,
) -> Response:
    """Run one sharing action and show the panel again, with the outcome or the error."""
    try:
        new_url = await action()
    except AppError as exc:
        if exc.status_code in (401, 404):
            raise
        # Each action checks before it writes, so nothing is left half done here. htmx does
        # not swap an error answer into the dialog, so the message also comes as a toast.
        toast = json.dumps({"toast": {"message": exc.message, "level": "error"}})
        return await _panel(
            request,
            session,
            user,
            content_id,
            error=exc.message,
            status_code=exc.status_code,
            headers={**exc.headers, "HX-Trigger": toast},
        )
    return await _panel(request, session, user, content_id, new_url=new_url, message=done)


@router.post("/content/{content_id}/share/visibility", name="share_visibility")
async def visibility_submit(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    meta: MetaDep,
    visibility: Annotated[str, Form(max_length=16)] = "",
    price: Annotated[str, Form(max_length=20)] = "",
    listed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    async def action() -> None:
        if visibility not in VISIBILITY_CHOICES:
            raise AppError("Choose who can learn from this material.")
        cents = cents_from_dollars(price) if price.strip() else None
        if visibility == Visibility.PAID and price.strip() and cents is None:
            raise ValidationFailed("Enter a price in dollars, e.g. 9.99.")
        await service.set_visibility(
            session,
            learner,
            content_id,
            visibility,
            meta,
            price_cents=cents,
            listed=listed != "off" if listed else None,
        )

    return await _act(request, session, learner, content_id, action, "Visibility changed.")


@router.post("/content/{content_id}/share/invite", name="share_invite")
async def invite_submit(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    async def action() -> None:
        await service.invite(session, services, learner, content_id, email, meta)

    return await _act(request, session, learner, content_id, action, "Invitation sent.")


@router.post("/content/{content_id}/share/link", name="share_link_create")
async def link_submit(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
) -> Response:
    async def action() -> str:
        new = await service.create_link(session, services, learner, content_id, None, meta)
        return share_url(services, new.code)

    return await _act(request, session, learner, content_id, action, "Link created.")


@router.post("/content/{content_id}/share/links/{link_id}/revoke", name="share_link_revoke")
async def link_revoke_submit(
    request: Request,
    content_id: uuid.UUID,
    link_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    meta: MetaDep,
) -> Response:
    async def action() -> None:
        await service.revoke_link(session, learner, content_id, link_id, meta)

    return await _act(request, session, learner, content_id, action, "Link revoked.")


@router.post("/content/{content_id}/share/access/{entry_id}/revoke", name="share_access_revoke")
async def access_revoke_submit(
    request: Request,
    content_id: uuid.UUID,
    entry_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    meta: MetaDep,
) -> Response:
    async def action() -> None:
        await service.revoke_access(session, learner, content_id, entry_id, meta)

    return await _act(request, session, learner, content_id, action, "Access revoked.")
