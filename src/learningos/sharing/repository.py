"""Sharing queries: grants of an item, share links and invitations."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy import select

from learningos.kit.repository import Repository
from learningos.models.content import ContentAccess
from learningos.models.sharing import ShareLink
from learningos.models.user import User


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class ShareLinkRepository(Repository[ShareLink]):
    model = ShareLink

    async def by_code(self, code: str) -> ShareLink | None:
        return await self.first(select(ShareLink).where(ShareLink.code_hash == code_hash(code)))

    async def of_content(self, content_id: uuid.UUID, link_id: uuid.UUID) -> ShareLink | None:
        return await self.first(
            select(ShareLink).where(ShareLink.id == link_id, ShareLink.content_id == content_id)
        )

    async def links(self, content_id: uuid.UUID) -> list[ShareLink]:
        """The item's share links (not invitations), newest first."""
        rows = await self.session.scalars(
            select(ShareLink)
            .where(ShareLink.content_id == content_id, ShareLink.email.is_(None))
            .order_by(ShareLink.created_at.desc())
        )
        return list(rows)

    async def open_invitations(self, content_id: uuid.UUID) -> list[ShareLink]:
        """Invitations not revoked and not yet opened by the person invited."""
        rows = await self.session.scalars(
            select(ShareLink)
            .where(
                ShareLink.content_id == content_id,
                ShareLink.email.is_not(None),
                ShareLink.revoked_at.is_(None),
                ShareLink.accepted_at.is_(None),
            )
            .order_by(ShareLink.created_at)
        )
        return list(rows)


class GrantRepository(Repository[ContentAccess]):
    model = ContentAccess

    async def find(
        self, content_id: uuid.UUID, user_id: uuid.UUID, access_type: str
    ) -> ContentAccess | None:
        return await self.first(
            select(ContentAccess).where(
                ContentAccess.content_id == content_id,
                ContentAccess.user_id == user_id,
                ContentAccess.access_type == access_type,
            )
        )

    async def of_content(self, content_id: uuid.UUID, grant_id: uuid.UUID) -> ContentAccess | None:
        return await self.first(
            select(ContentAccess).where(
                ContentAccess.id == grant_id, ContentAccess.content_id == content_id
            )
        )

    async def holders(self, content_id: uuid.UUID) -> list[tuple[ContentAccess, User, Any]]:
        """Unrevoked grants on the item with their holder and the link that made them."""
        rows = await self.session.execute(
            select(ContentAccess, User, ShareLink)
            .join(User, User.id == ContentAccess.user_id)
            .outerjoin(ShareLink, ShareLink.id == ContentAccess.share_link_id)
            .where(ContentAccess.content_id == content_id, ContentAccess.revoked_at.is_(None))
            .order_by(ContentAccess.granted_at)
        )
        return [(grant, user, link) for grant, user, link in rows.all()]

    async def of_link(self, link_id: uuid.UUID) -> list[ContentAccess]:
        rows = await self.session.scalars(
            select(ContentAccess).where(ContentAccess.share_link_id == link_id)
        )
        return list(rows)
