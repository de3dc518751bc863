from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, utcnow


class ShareLink(IdMixin, Base):
    """A code that grants access to one content item when opened at `/s/{code}`.

    With `email` set it is an invitation sent to that address: it is used once. Without, it
    is a share link anyone holding it may use until it expires or is revoked. Only the
    SHA-256 of the code is stored; the code itself is shown once (or mailed)."""

    __tablename__ = "share_links"

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    created_by: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    accepted_at: Mapped[datetime | None]
    use_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
