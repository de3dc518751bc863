"""catalogue: library entries, ratings, listing slugs and stored covers

`library_entries` holds the items a learner added from a listing ("Start learning"): a
bookmark, never a grant. `content_ratings` holds one rating (1–5) and review per learner and
item. `contents.slug` is the public listing's address and `contents.cover_key` the stored
cover image.

Revision ID: a7c2e9d4b1f3
Revises: f3a8c1d2e9b7
Create Date: 2026-12-04 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db

revision: str = "a7c2e9d4b1f3"
down_revision: str | None = "f3a8c1d2e9b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = learningos.kit.db.UTCDateTime(timezone=True)


def _user_and_content(table: str) -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f(f"fk_{table}_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "library_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("added_at", UTC, nullable=False),
        *_user_and_content("library_entries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_entries")),
        sa.UniqueConstraint(
            "user_id", "content_id", name=op.f("uq_library_entries_user_id_content_id")
        ),
    )
    op.create_table(
        "content_ratings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("review", sa.Text(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "rating >= 1 AND rating <= 5", name=op.f("ck_content_ratings_rating_range")
        ),
        *_user_and_content("content_ratings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_ratings")),
        sa.UniqueConstraint(
            "content_id", "user_id", name=op.f("uq_content_ratings_content_id_user_id")
        ),
    )
    for table in ("library_entries", "content_ratings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_content_id"), ["content_id"])
            batch_op.create_index(batch_op.f(f"ix_{table}_user_id"), ["user_id"])
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cover_key", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("slug", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_contents_slug"), ["slug"])


def downgrade() -> None:
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_contents_slug"), type_="unique")
        batch_op.drop_column("slug")
        batch_op.drop_column("cover_key")
    for table in ("content_ratings", "library_entries"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_user_id"))
            batch_op.drop_index(batch_op.f(f"ix_{table}_content_id"))
        op.drop_table(table)
