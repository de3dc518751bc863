"""The audit log: who did what, from where. Every domain writes it in its own transaction
(sign-ins, account and content changes); the table's rows outlive the request's log line."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, utcnow
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta

log = get_logger(__name__)


class AuditEvent(IdMixin, Base):
    __tablename__ = "audit_events"

    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    event: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


async def audit(
    session: AsyncSession,
    event: str,
    meta: RequestMeta,
    user_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            event=event,
            user_id=user_id,
            ip=meta.ip,
            user_agent=meta.user_agent,
            request_id=meta.request_id,
            details=details,
        )
    )
    log.info(event, user_id=str(user_id) if user_id else None, **details)
