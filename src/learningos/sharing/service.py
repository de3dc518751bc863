"""Sharing: visibility, invitations, share links and who has access — shared by the API and
the pages. Reading is decided by `ContentRepository.readable_by` alone; this module only
writes grants and the links that make them."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth.policy import normalize_email
from learningos.auth.repository import UserRepository
from learningos.content import service as content_service
from learningos.content.repository import ContentRepository
from learningos.creator.service import is_creator
from learningos.kit.audit import audit
from learningos.kit.db import utcnow
from learningos.kit.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from learningos.kit.requestmeta import RequestMeta
from learningos.kit.sealing import seal
from learningos.models.content import AccessType, Content, ContentAccess, Visibility
from learningos.models.jobs import JobName
from learningos.models.sharing import ShareLink
from learningos.models.user import Role, User
from learningos.sales.pricing import price_problem
from learningos.sales.repository import PurchaseRepository
from learningos.services import Services
from learningos.sharing.repository import GrantRepository, ShareLinkRepository, code_hash

CODE_BYTES = 24  # 192 bits
INVITATION = "sharing.invitation"  # the sealing purpose of an invitation's code in its job


class LinkUnusable(AppError):
    """A share code that exists no longer works (revoked, expired, used, or made private)."""

    status_code = 410
    code = "link_gone"
    message = "This link no longer works."


@dataclass(frozen=True)
class NewLink:
    link: ShareLink
    code: str


def _is_admin(user: User) -> bool:
    return user.role == Role.ADMIN.value


async def set_visibility(
    session: AsyncSession,
    user: User,
    content_id: uuid.UUID,
    value: str,
    meta: RequestMeta,
    *,
    price_cents: int | None = None,
    listed: bool | None = None,
) -> Content:
    """Change who may learn from an item (the owner or an admin). "platform" puts it in the
    platform library and only admins may set it, or change a platform item's visibility.
    "paid" is for creators (403 otherwise) at $0.99 to $999 (422). An item with completed
    purchases cannot become private (409: its buyers keep access); it can be unlisted."""
    content = await content_service.get_owned(session, user, content_id)
    if (value == "platform" or content.is_platform_content) and not _is_admin(user):
        raise Forbidden("Only an admin can put content in the platform library or take it out.")
    if value == Visibility.PAID:
        content.price_cents = _paid_price(user, content, price_cents)
    if value == Visibility.PRIVATE and await PurchaseRepository(session).completed_count(
        content.id
    ):
        raise Conflict(
            "People have bought this material, so it cannot become private: they keep "
            "access. Unlist it instead to stop new sales from listings."
        )
    content.is_platform_content = value == "platform"
    content.visibility = "public" if value == "platform" else value
    if listed is not None:
        content.is_listed = listed
    await audit(
        session,
        "content.visibility_changed",
        meta,
        user.id,
        content_id=str(content.id),
        visibility=value,
        price_cents=content.price_cents if value == Visibility.PAID else None,
        listed=content.is_listed,
    )
    return content


def _paid_price(user: User, content: Content, price_cents: int | None) -> int:
    """The price of a paid item: creators only, within the allowed range."""
    if not is_creator(user):
        raise Forbidden("Only creators can sell. Become a creator first (/creator/onboard).")
    price = price_cents if price_cents is not None else (content.price_cents or None)
    problem = price_problem(price)
    if problem is not None or price is None:
        message = problem or "A paid item needs a price."
        raise ValidationFailed(message, details=[{"field": "price_cents", "message": message}])
    return price


def _open_to_invited(content: Content) -> None:
    """Sharing a private item makes it shared: private means the owner only."""
    if content.visibility == Visibility.PRIVATE:
        content.visibility = Visibility.SHARED


def _new_code() -> tuple[str, str]:
    code = secrets.token_urlsafe(CODE_BYTES)
    return code, code_hash(code)


def _expiry(services: Services, days: int | None) -> timedelta:
    return timedelta(days=min(days or services.settings.share_link_days, 30))


async def invite(
    session: AsyncSession,
    services: Services,
    owner: User,
    content_id: uuid.UUID,
    email: str,
    meta: RequestMeta,
) -> ShareLink:
    """Invite a person by email. An existing account gets the grant now; either way the
    address receives the same email with a link, so the answer never tells whether the
    address has an account. The link grants access when opened signed in (after signing in
    or registering)."""
    address = normalize_email(email)
    content = await content_service.get_owned(session, owner, content_id)
    if address == owner.email.lower():
        message = "You cannot invite yourself."
        raise ValidationFailed(message, details=[{"field": "email", "message": message}])
    await services.limiter.hit(services.settings.invite_limit_per_owner, "invite", str(owner.id))
    code, link = await _new_link(session, services, content, owner, None, email=address)
    invitee = await UserRepository(session).get_by_email(address)
    if invitee is not None and invitee.id != content.user_id:
        await grant(session, content, invitee, owner.id, link)
    await services.queue.enqueue(
        session,
        JobName.SHARING_INVITATION_EMAIL,
        {"link_id": str(link.id), "code": seal(services.signing_secret, INVITATION, code)},
        user_id=owner.id,
    )
    await audit(session, "content.invited", meta, owner.id, content_id=str(content.id))
    return link


async def _new_link(
    session: AsyncSession,
    services: Services,
    content: Content,
    owner: User,
    days: int | None,
    email: str | None = None,
) -> tuple[str, ShareLink]:
    """A new link (an invitation when `email` is given) and its code, which only the caller
    sees: the row keeps the code's hash. A private item becomes shared."""
    _open_to_invited(content)
    code, digest = _new_code()
    link = ShareLink(
        content_id=content.id,
        created_by=owner.id,
        code_hash=digest,
        email=email,
        expires_at=utcnow() + _expiry(services, days),
    )
    await ShareLinkRepository(session).add(link)
    return code, link


async def create_link(
    session: AsyncSession,
    services: Services,
    owner: User,
    content_id: uuid.UUID,
    days: int | None,
    meta: RequestMeta,
) -> NewLink:
    """A share link anyone holding it may open until it expires (7 days by default, never
    more than 30) or is revoked. The code is returned once; only its hash is kept."""
    content = await content_service.get_owned(session, owner, content_id)
    code, link = await _new_link(session, services, content, owner, days)
    await audit(session, "content.link_created", meta, owner.id, content_id=str(content.id))
    return NewLink(link, code)


async def links(session: AsyncSession, user: User, content_id: uuid.UUID) -> list[ShareLink]:
    content = await content_service.get_owned(session, user, content_id)
    return await ShareLinkRepository(session).links(content.id)


async def revoke_link(
    session: AsyncSession, user: User, content_id: uuid.UUID, link_id: uuid.UUID, meta: RequestMeta
) -> None:
    """Stop a share link from granting anyone else; the grants it made stay (each can be
    revoked on its own)."""
    content = await content_service.get_owned(session, user, content_id)
    link = await ShareLinkRepository(session).of_content(content.id, link_id)
    if link is None or link.email is not None:
        raise NotFound("No such share link.")
    link.revoked_at = link.revoked_at or utcnow()
    await audit(session, "content.link_revoked", meta, user.id, content_id=str(content.id))


async def grant(
    session: AsyncSession,
    content: Content,
    user: User,
    granted_by: uuid.UUID | None,
    link: ShareLink | None,
) -> ContentAccess:
    """Give `user` a live shared grant on the item (renewing a revoked one)."""
    grants = GrantRepository(session)
    row = await grants.find(content.id, user.id, "shared")
    if row is None:
        row = ContentAccess(
            content_id=content.id, user_id=user.id, access_type="shared", granted_by=granted_by
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # granted at the same moment by another request
            row = await grants.find(content.id, user.id, "shared")
            assert row is not None
    elif row.revoked_at is not None or not _live(row):
        row.granted_at, row.granted_by, row.expires_at = utcnow(), granted_by, None
    row.revoked_at = None
    row.share_link_id = link.id if link is not None else row.share_link_id
    await session.flush()
    return row


def _live(row: ContentAccess) -> bool:
    return row.revoked_at is None and (row.expires_at is None or row.expires_at > utcnow())


async def accept(session: AsyncSession, user: User, code: str, meta: RequestMeta) -> uuid.UUID:
    """Use a share code: grant the signed-in learner access and return the item's id.
    Unknown codes are 404; revoked, expired, used or private ones 410."""
    link = await ShareLinkRepository(session).by_code(code.strip()[:100])
    if link is None:
        raise NotFound("This share link does not exist. Check that it was copied whole.")
    content = await session.get(Content, link.content_id)
    if content is None:
        raise NotFound("This share link does not exist.")
    if content.user_id == user.id:
        return content.id  # the owner trying their own link
    problem = await _unusable(session, link, content, user)
    if problem is not None:
        if await ContentRepository(session).get_readable(content.id, user) is not None:
            return content.id  # the link no longer grants, but this learner can read it
        raise LinkUnusable(problem)
    await grant(session, content, user, link.created_by, link)
    await _mark_used(link, user)
    await audit(session, "content.link_used", meta, user.id, content_id=str(content.id))
    return content.id


async def _unusable(
    session: AsyncSession, link: ShareLink, content: Content, user: User
) -> str | None:
    """Why this link cannot grant this learner access now, or None."""
    if link.revoked_at is not None:
        return "The owner has revoked this link."
    if link.expires_at <= utcnow():
        return "This link has expired. Ask the owner for a new one."
    if link.email is not None and link.accepted_by not in (None, user.id):
        return "This invitation has already been used."
    if content.visibility == Visibility.PRIVATE:
        return "The owner has stopped sharing this material."
    previous = await GrantRepository(session).find(content.id, user.id, "shared")
    if previous is not None and previous.revoked_at and previous.revoked_at >= link.created_at:
        # A revocation sticks: an older link does not give the access back.
        return "The owner has removed your access to this material."
    return None


async def _mark_used(link: ShareLink, user: User) -> None:
    if link.email is not None and link.accepted_by is None and link.created_by != user.id:
        link.accepted_by, link.accepted_at = user.id, utcnow()
        link.use_count += 1
    elif link.email is None and link.created_by != user.id:
        link.use_count += 1


async def access_list(
    session: AsyncSession, user: User, content_id: uuid.UUID
) -> list[dict[str, object]]:
    """Who has access to the item, how and since when: the grants, and the invitations not
    yet opened. An invitation to an existing account is listed as an invitation until it is
    opened, exactly like one to an unknown address."""
    content = await content_service.get_owned(session, user, content_id)
    owner = await session.get(User, content.user_id)
    assert owner is not None  # a content row always has its owner (cascade)
    entries: list[dict[str, object]] = [
        {
            "id": content.id,  # the owner's line: revoking it is refused
            "how": "owner",
            "email": owner.email,
            "name": owner.name,
            "since": content.created_at,
            "expires_at": None,
            "live": True,
        }
    ]
    pending = await ShareLinkRepository(session).open_invitations(content.id)
    pending_ids = {link.id for link in pending}
    for row, holder, link in await GrantRepository(session).holders(content.id):
        if row.share_link_id in pending_ids or row.access_type == AccessType.OWNER:
            continue
        how = row.access_type
        if how == "shared" and link is not None:
            how = "invitation" if link.email else "link"
        entries.append(
            {
                "id": row.id,
                "how": how,
                "email": holder.email,
                "name": holder.name,
                "since": row.granted_at,
                "expires_at": row.expires_at,
                "live": _live(row) and content.visibility != Visibility.PRIVATE,
            }
        )
    for link in pending:
        entries.append(
            {
                "id": link.id,
                "how": "invitation",
                "email": link.email,
                "name": None,
                "since": link.created_at,
                "expires_at": None,
                "live": content.visibility != Visibility.PRIVATE,
            }
        )
    return entries


async def revoke_access(
    session: AsyncSession, user: User, content_id: uuid.UUID, entry_id: uuid.UUID, meta: RequestMeta
) -> None:
    """Revoke a grant, or an invitation with any grant it made. The owner's own access and
    grants bought by the learner (purchases, subscriptions) cannot be revoked here."""
    content = await content_service.get_owned(session, user, content_id)
    if entry_id == content.id:
        raise Forbidden("The owner's access cannot be revoked.")
    grants = GrantRepository(session)
    now = utcnow()
    row = await grants.of_content(content.id, entry_id)
    if row is not None:
        if row.access_type != AccessType.SHARED:
            raise Forbidden("Only shared access can be revoked here.")
        row.revoked_at = row.revoked_at or now
    else:
        link = await ShareLinkRepository(session).of_content(content.id, entry_id)
        if link is None or link.email is None:
            raise NotFound("No such grant or invitation.")
        link.revoked_at = link.revoked_at or now
        for made in await grants.of_link(link.id):
            made.revoked_at = made.revoked_at or now
    await audit(session, "content.access_revoked", meta, user.id, content_id=str(content.id))
