from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, utcnow


class LibraryEntry(IdMixin, Base):
    """An item a learner added to their library from its listing ("Start learning").

    A bookmark, not a grant: whether the learner may read the item is still decided by the
    access rule alone, so an entry on an item that became private gives no access."""

    __tablename__ = "library_entries"
    __table_args__ = (UniqueConstraint("user_id", "content_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentRating(IdMixin, TimestampMixin, Base):
    """One learner's rating (1–5) and optional review of one item; `contents.rating_average`
    and `rating_count` are kept equal to the aggregate of these rows."""

    __tablename__ = "content_ratings"
    __table_args__ = (
        UniqueConstraint("content_id", "user_id"),
        CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),
    )

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]
    review: Mapped[str | None] = mapped_column(Text)
