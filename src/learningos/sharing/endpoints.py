"""Sharing JSON API: visibility, invitations, share links, who has access."""

from __future__ import annotations

import uuid

from fastapi import Response, status

from learningos.auth.deps import CurrentUser
from learningos.config import Settings
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.models.content import Content, Visibility
from learningos.sales.service import settings_split
from learningos.sharing import service
from learningos.sharing.schemas import (
    AcceptOut,
    AccessEntry,
    InviteIn,
    InviteOut,
    ShareLinkIn,
    ShareLinkOut,
    VisibilityIn,
    VisibilityOut,
)

router = api_router("/api/v1", ["sharing"])


def share_url(services: ServicesDep, code: str) -> str:
    return f"{services.settings.base_url.rstrip('/')}/s/{code}"


@router.patch("/content/{content_id}/visibility", response_model=VisibilityOut)
async def set_visibility(
    content_id: uuid.UUID,
    body: VisibilityIn,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
):
    """Who may learn from the item: private, shared, public, paid, or platform (admins).
    The owner or an admin; 403 for a reader who is not the owner. `paid` needs a creator
    (403) and `price_cents` from 99 to 99,900 (422); the answer says what each sale gives
    the creator. An item with buyers cannot become private (409); `listed: false` unlists
    it."""
    content = await service.set_visibility(
        session,
        user,
        content_id,
        body.visibility,
        meta,
        price_cents=body.price_cents,
        listed=body.listed,
    )
    return visibility_out(content, services.settings)


def visibility_out(content: Content, settings: Settings) -> dict[str, object]:
    paid = content.visibility == Visibility.PAID and content.price_cents > 0
    return {
        "id": content.id,
        "visibility": content.visibility,
        "is_platform_content": content.is_platform_content,
        "price_cents": content.price_cents,
        "is_listed": content.is_listed,
        "split": vars(settings_split(content.price_cents, settings)) if paid else None,
    }


@router.post(
    "/content/{content_id}/share", response_model=InviteOut, status_code=status.HTTP_202_ACCEPTED
)
async def invite(
    content_id: uuid.UUID,
    body: InviteIn,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
):
    """Invite a person by email (a private item becomes shared). The answer is the same
    whether or not the address has an account."""
    link = await service.invite(session, services, user, content_id, body.email, meta)
    return {"email": link.email, "expires_at": link.expires_at}


@router.post(
    "/content/{content_id}/share-links",
    response_model=ShareLinkOut,
    status_code=status.HTTP_201_CREATED,
)
async def create_link(
    content_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    body: ShareLinkIn | None = None,
):
    """A share link (`url` is shown only now). Expires after `days` (default 7, at most 30)."""
    days = body.days if body else None
    new = await service.create_link(session, services, user, content_id, days, meta)
    return {**_link_out(new.link), "url": share_url(services, new.code)}


@router.get("/content/{content_id}/share-links", response_model=list[ShareLinkOut])
async def list_links(content_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """The item's share links, newest first (the owner or an admin)."""
    return [_link_out(link) for link in await service.links(session, user, content_id)]


@router.delete(
    "/content/{content_id}/share-links/{link_id}", status_code=status.HTTP_204_NO_CONTENT
)
async def revoke_link(
    content_id: uuid.UUID, link_id: uuid.UUID, user: CurrentUser, session: SessionDep, meta: MetaDep
) -> Response:
    """Revoke a share link; the access it already gave stays until revoked on its own."""
    await service.revoke_link(session, user, content_id, link_id, meta)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/content/{content_id}/access", response_model=list[AccessEntry])
async def access(content_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """Who has access to the item, how and since when (the owner or an admin)."""
    return await service.access_list(session, user, content_id)


@router.delete("/content/{content_id}/access/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_access(
    content_id: uuid.UUID,
    entry_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> Response:
    """Revoke a grant or an invitation. The learner's own notes and progress are kept."""
    await service.revoke_access(session, user, content_id, entry_id, meta)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/share-links/{code}/accept", response_model=AcceptOut)
async def accept(code: str, user: CurrentUser, session: SessionDep, meta: MetaDep):
    """Use a share code or invitation: the caller gets access (404 unknown, 410 unusable)."""
    return {"content_id": await service.accept(session, user, code, meta)}


def _link_out(link: object) -> dict[str, object]:
    return {
        key: getattr(link, key)
        for key in ("id", "expires_at", "revoked_at", "use_count", "created_at")
    }
