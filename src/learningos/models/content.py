from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from learningos.kit.db import Base, IdMixin, TimestampMixin, one_of, utcnow


class ContentStatus(StrEnum):
    """Where a content item is in processing: waiting, being processed, usable, or failed."""

    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    ERROR = "error"


class ContentType(StrEnum):
    """The kind of file a content item was uploaded as."""

    PDF = "pdf"
    TEXT = "text"
    MARKDOWN = "markdown"


class AccessType(StrEnum):
    """Why a learner may read a content item: theirs, shared with them, bought, the platform's,
    or their subscription."""

    OWNER = "owner"
    SHARED = "shared"
    PURCHASED = "purchased"
    PLATFORM = "platform"
    SUBSCRIBER = "subscriber"


class Visibility(StrEnum):
    """Who may read a content item besides its owner."""

    PRIVATE = "private"
    SHARED = "shared"
    PUBLIC = "public"
    PAID = "paid"


class Category(StrEnum):
    """The fixed list of listing categories (`contents.category`); `label` is the English text,
    translated where it is shown."""

    SCIENCE = "science"
    MATHEMATICS = "mathematics"
    COMPUTING = "computing"
    ENGINEERING = "engineering"
    BUSINESS = "business"
    HUMANITIES = "humanities"
    LANGUAGES = "languages"
    ARTS = "arts"
    HEALTH = "health"
    SOCIAL_SCIENCES = "social-sciences"
    PERSONAL_DEVELOPMENT = "personal-development"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.SCIENCE: "Science",
    Category.MATHEMATICS: "Mathematics",
    Category.COMPUTING: "Computing and programming",
    Category.ENGINEERING: "Engineering and technology",
    Category.BUSINESS: "Business and economics",
    Category.HUMANITIES: "History and humanities",
    Category.LANGUAGES: "Languages",
    Category.ARTS: "Arts and design",
    Category.HEALTH: "Health and medicine",
    Category.SOCIAL_SCIENCES: "Social sciences",
    Category.PERSONAL_DEVELOPMENT: "Personal development",
    Category.OTHER: "Other",
}


class ListingKind(StrEnum):
    """The discover filter: free listings (public, or platform content), paid ones, or the
    platform library."""

    FREE = "free"
    PAID = "paid"
    PLATFORM = "platform"


class ListingSort(StrEnum):
    """Discover orders: learners in the last 7 days, newest, best rated, cheapest."""

    POPULAR = "popular"
    NEW = "new"
    RATING = "rating"
    PRICE = "price"


class Content(IdMixin, TimestampMixin, Base):
    __tablename__ = "contents"
    __table_args__ = (
        one_of("type", ContentType),
        one_of("visibility", Visibility),
        one_of("status", ContentStatus),
        one_of("category", Category),
        CheckConstraint("price_cents >= 0", name="price_cents"),
        UniqueConstraint("user_id", "file_sha256"),
        # The discover orders: new, rating, price.
        Index("ix_contents_created_at", "created_at"),
        Index("ix_contents_rating", "rating_average", "rating_count"),
        Index("ix_contents_price_cents", "price_cents"),
        Index("ix_contents_learners_week", "learners_week"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))
    raw_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ContentStatus.PENDING, index=True)
    progress: Mapped[int] = mapped_column(default=0)
    stage: Mapped[str | None] = mapped_column(String(32))
    status_message: Mapped[str | None] = mapped_column(Text)
    file_key: Mapped[str | None] = mapped_column(String(500))
    file_name: Mapped[str | None] = mapped_column(String(255))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    file_size: Mapped[int | None]
    page_count: Mapped[int | None]
    cover_url: Mapped[str | None] = mapped_column(String(500))
    # The stored cover image (uploaded, or the first PDF page rendered at processing time).
    cover_key: Mapped[str | None] = mapped_column(String(500))
    # The public listing's address, `/c/{slug}`; set when the item is first listed.
    slug: Mapped[str | None] = mapped_column(String(120), unique=True)
    # Marketplace columns.
    visibility: Mapped[str] = mapped_column(String(16), default=Visibility.PRIVATE, index=True)
    # Shown in listings and discovery; a paid item with buyers is unlisted rather than made
    # private (its buyers keep access).
    is_listed: Mapped[bool] = mapped_column(default=True, server_default=true())
    is_platform_content: Mapped[bool] = mapped_column(default=False, index=True)
    price_cents: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    accept_donations: Mapped[bool] = mapped_column(default=False)
    donation_message: Mapped[str | None] = mapped_column(Text)
    sales_count: Mapped[int] = mapped_column(default=0)
    rating_average: Mapped[float] = mapped_column(default=0.0)
    rating_count: Mapped[int] = mapped_column(default=0)
    category: Mapped[str | None] = mapped_column(String(80), index=True)
    # Distinct learners with a session on the item in the last 7 days ("popular"), refreshed
    # by the `discover.popularity` timer (discover/popularity.py).
    learners_week: Mapped[int] = mapped_column(default=0, server_default="0")


class ContentSection(IdMixin, Base):
    __tablename__ = "content_sections"
    __table_args__ = (UniqueConstraint("content_id", "order_index"),)

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("content_sections.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    order_index: Mapped[int]
    level: Mapped[int] = mapped_column(default=1)
    kind: Mapped[str] = mapped_column(String(16), default="section")
    text: Mapped[str] = mapped_column(Text)
    page_start: Mapped[int | None]
    page_end: Mapped[int | None]
    embedding_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentAccess(IdMixin, Base):
    """A grant to read a content item; the owner holds one too. One learner may hold several
    grants on one item, one per reason (shared, purchased, subscriber, ...): losing one
    reason leaves the others. A grant is live while not expired and not revoked."""

    __tablename__ = "content_access"
    __table_args__ = (
        UniqueConstraint("content_id", "user_id", "access_type"),
        one_of("access_type", AccessType),
    )

    content_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contents.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    access_type: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # The invitation or share link that granted it (shared grants only).
    share_link_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("share_links.id", ondelete="SET NULL"), index=True
    )
