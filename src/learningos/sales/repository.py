"""Purchase and purchase-grant queries."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from learningos.kit.db import utcnow
from learningos.kit.repository import Repository
from learningos.models.content import AccessType, Content, ContentAccess
from learningos.models.sales import Purchase, PurchaseStatus


class PurchaseRepository(Repository[Purchase]):
    model = Purchase

    async def get_for_update(self, purchase_id: uuid.UUID) -> Purchase | None:
        """The purchase, locked for the rest of the transaction (PostgreSQL: FOR UPDATE; on
        SQLite the database is locked by the first write, which serialises as well)."""
        query = select(Purchase).where(Purchase.id == purchase_id).with_for_update()
        return await self.session.scalar(query)

    async def completed_count(self, content_id: uuid.UUID) -> int:
        query = select(func.count(Purchase.id)).where(
            Purchase.content_id == content_id, Purchase.status == PurchaseStatus.COMPLETED
        )
        return int(await self.session.scalar(query) or 0)

    async def completed_of(self, buyer_id: uuid.UUID, content_id: uuid.UUID) -> Purchase | None:
        return await self.first(
            select(Purchase).where(
                Purchase.buyer_id == buyer_id,
                Purchase.content_id == content_id,
                Purchase.status == PurchaseStatus.COMPLETED,
            )
        )

    async def history(self, buyer_id: uuid.UUID, limit: int = 200) -> list[Any]:
        """A buyer's purchases (every status but abandoned checkouts older than a day are
        kept), newest first, with the item's title when it still exists."""
        query = (
            select(Purchase, Content.title)
            .outerjoin(Content, Content.id == Purchase.content_id)
            .where(Purchase.buyer_id == buyer_id)
            .order_by(Purchase.created_at.desc())
            .limit(limit)
        )
        return list((await self.session.execute(query)).all())


class PurchaseGrants:
    """The `purchased` grant of one learner on one item (a row per reason; see ContentAccess)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def _find(self, content_id: uuid.UUID, user_id: uuid.UUID) -> ContentAccess | None:
        return await self.session.scalar(
            select(ContentAccess).where(
                ContentAccess.content_id == content_id,
                ContentAccess.user_id == user_id,
                ContentAccess.access_type == AccessType.PURCHASED,
            )
        )

    async def grant(self, content_id: uuid.UUID, user_id: uuid.UUID) -> ContentAccess:
        row = await self._find(content_id, user_id)
        if row is None:
            row = ContentAccess(
                content_id=content_id, user_id=user_id, access_type=AccessType.PURCHASED
            )
            try:
                async with self.session.begin_nested():
                    self.session.add(row)
            except IntegrityError:  # granted at the same moment by another transaction
                row = await self._find(content_id, user_id)
                assert row is not None
        row.revoked_at, row.expires_at = None, None
        row.granted_at = utcnow()
        await self.session.flush()
        return row

    async def revoke(self, content_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """Revoke the purchase grant. Other reasons (shared, subscriber) are their own rows,
        so they still hold."""
        row = await self._find(content_id, user_id)
        if row is not None and row.revoked_at is None:
            row.revoked_at = utcnow()
            await self.session.flush()
