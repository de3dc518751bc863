"""Content queries. Every read goes through the access rule in `readable_by`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, update

from learningos.kit.db import utcnow
from learningos.kit.repository import Repository
from learningos.models.content import AccessType, Content, ContentAccess, ContentStatus, Visibility
from learningos.models.user import Role, User


def live_grant(
    user_id: uuid.UUID,
    now: datetime | None = None,
    *,
    exclude_owner: bool = False,
    access_type: AccessType | None = None,
) -> ColumnElement[bool]:
    """A grant row for this learner on the outer content row: not expired, not revoked (of
    one reason only, with `access_type`)."""
    now = now or utcnow()
    conditions = [
        ContentAccess.content_id == Content.id,
        ContentAccess.user_id == user_id,
        ContentAccess.revoked_at.is_(None),
        or_(ContentAccess.expires_at.is_(None), ContentAccess.expires_at > now),
    ]
    if exclude_owner:
        conditions.append(ContentAccess.access_type != AccessType.OWNER)
    if access_type is not None:
        conditions.append(ContentAccess.access_type == access_type)
    return exists().where(*conditions)


def listed() -> ColumnElement[bool]:
    """What the catalogue lists (discover), to anyone, guests included: ready items that are
    public, paid or platform content. Never private or shared ones. Listing shows an item's
    card (title, author, description, price), not its text: reading it is still
    `readable_by`'s decision (a paid item is listed but opens only through a grant)."""
    return and_(
        Content.status == ContentStatus.READY,
        or_(
            Content.visibility.in_((Visibility.PUBLIC, Visibility.PAID)),
            Content.is_platform_content.is_(True),
        ),
    )


class ContentRepository(Repository[Content]):
    model = Content

    def readable_by(self, user: User | None, now: datetime | None = None) -> Select[Any]:
        """Content this user may read — the one access rule, used by every content read:
        the owner; an admin; platform content; public content; a live grant (not expired,
        not revoked) on content that is not private. Private content is visible to its owner
        (and admins) only, so making an item private suspends its grants without deleting
        them. Paid content opens only through a grant (a purchase or a subscription, added
        by the sales issue). Guests (`None`) get platform and public items, for listings."""
        query = select(Content)
        if user is not None and user.role == Role.ADMIN.value:
            return query
        open_to_all = or_(
            Content.is_platform_content.is_(True), Content.visibility == Visibility.PUBLIC
        )
        if user is None:
            return query.where(open_to_all)
        granted = and_(Content.visibility != Visibility.PRIVATE, live_grant(user.id, now))
        return query.where(or_(Content.user_id == user.id, open_to_all, granted))

    async def get_readable(self, content_id: uuid.UUID, user: User | None) -> Content | None:
        return await self.first(self.readable_by(user).where(Content.id == content_id))

    def library_of(self, user: User, now: datetime | None = None) -> Select[Any]:
        """A learner's library: what they own plus what was granted to them and is still
        readable (`readable_by`, narrowed to own and granted items)."""
        granted = live_grant(user.id, now, exclude_owner=True)
        return self.readable_by(user, now).where(or_(Content.user_id == user.id, granted))

    async def list_library(self, user: User, limit: int = 100) -> list[Content]:
        rows = await self.session.scalars(
            self.library_of(user).order_by(Content.created_at.desc()).limit(limit)
        )
        return list(rows)

    async def readable_ids(self, user: User, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these items the user may read now (through `readable_by`)."""
        if not ids:
            return set()
        query = self.readable_by(user).where(Content.id.in_(ids)).with_only_columns(Content.id)
        return set(await self.session.scalars(query))

    async def set_fields(self, content_id: uuid.UUID, **values: Any) -> None:
        """Update columns of one item without loading it (progress, status, failure reason)."""
        await self.session.execute(
            update(Content)
            .where(Content.id == content_id)
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    async def list_ready(self) -> list[Content]:
        rows = await self.session.scalars(
            select(Content).where(Content.status == ContentStatus.READY)
        )
        return list(rows)

    async def get_by_hash(self, user_id: uuid.UUID, sha256: str) -> Content | None:
        return await self.first(
            select(Content).where(Content.user_id == user_id, Content.file_sha256 == sha256)
        )

    async def list_readable(self, user: User, limit: int = 50) -> list[Content]:
        rows = await self.session.scalars(
            self.readable_by(user).order_by(Content.created_at.desc()).limit(limit)
        )
        return list(rows)
