"""Every query of the webhook inbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.db import utcnow
from learningos.models.webhooks import PaymentProvider, WebhookEvent, WebhookStatus


class WebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_if_new(
        self, provider: PaymentProvider, event_name: str, unique_key: str, body: str
    ) -> uuid.UUID | None:
        """Store the event; None when one with this key is stored already (also when another
        delivery stores it at the same moment: it waits for that one's commit)."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(WebhookEvent)
            .values(
                id=uuid.uuid4(),
                provider=provider.value,
                event_name=event_name,
                unique_key=unique_key,
                body=body,
                status=WebhookStatus.RECEIVED.value,
                attempts=0,
                received_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["unique_key"])
            .returning(WebhookEvent.id)
        )
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def get(self, event_id: uuid.UUID) -> WebhookEvent | None:
        return await self.session.get(WebhookEvent, event_id)

    async def lock(self, event_id: uuid.UUID) -> WebhookEvent | None:
        """The event, locked for this transaction (PostgreSQL), read fresh from the database."""
        query = (
            select(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return await self.session.scalar(query)

    async def set_state(self, event_id: uuid.UUID, **values: Any) -> None:
        await self.session.execute(
            update(WebhookEvent).where(WebhookEvent.id == event_id).values(**values)
        )

    async def due(self, now: datetime, limit: int) -> list[uuid.UUID]:
        """Waiting events whose next try is due, locked (others skip them)."""
        query = (
            select(WebhookEvent.id)
            .where(
                WebhookEvent.status == WebhookStatus.WAITING.value,
                WebhookEvent.next_attempt_at <= now,
            )
            .order_by(WebhookEvent.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(await self.session.scalars(query))

    async def page(
        self, status: WebhookStatus | None, limit: int, offset: int
    ) -> tuple[list[WebhookEvent], int]:
        query = select(WebhookEvent)
        count = select(func.count()).select_from(WebhookEvent)
        if status is not None:
            query = query.where(WebhookEvent.status == status.value)
            count = count.where(WebhookEvent.status == status.value)
        rows = await self.session.scalars(
            query.order_by(WebhookEvent.received_at.desc(), WebhookEvent.id)
            .limit(limit)
            .offset(offset)
        )
        return list(rows), int(await self.session.scalar(count) or 0)
