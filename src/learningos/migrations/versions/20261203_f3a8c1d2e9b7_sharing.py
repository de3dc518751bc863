"""sharing: several grants per learner and item, revocation, share links and invitations

`content_access` was unique on (content_id, user_id), so a learner could hold one grant on an
item; a share and later a purchase or a subscription are different reasons, so the key
becomes (content_id, user_id, access_type). A grant can be revoked (`revoked_at`) without
deleting it, and remembers the invitation or link that made it. `share_links` holds share
link codes and email invitations (their SHA-256 only).

Revision ID: f3a8c1d2e9b7
Revises: c5d1e7f20a4b
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db

revision: str = "f3a8c1d2e9b7"
down_revision: str | None = "c5d1e7f20a4b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = learningos.kit.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", UTC, nullable=True),
        sa.Column("use_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["users.id"],
            name=op.f("fk_share_links_accepted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_share_links_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_share_links_created_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_share_links_code_hash")),
    )
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_share_links_accepted_by"), ["accepted_by"])
        batch_op.create_index(batch_op.f("ix_share_links_content_id"), ["content_id"])
        batch_op.create_index(batch_op.f("ix_share_links_created_by"), ["created_by"])
        batch_op.create_index(batch_op.f("ix_share_links_email"), ["email"])

    with op.batch_alter_table("content_access", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", UTC, nullable=True))
        batch_op.add_column(sa.Column("share_link_id", sa.Uuid(), nullable=True))
        batch_op.drop_constraint("uq_content_access_content_id_user_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_content_access_content_id_user_id_access_type"),
            ["content_id", "user_id", "access_type"],
        )
        batch_op.create_index(batch_op.f("ix_content_access_share_link_id"), ["share_link_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_content_access_share_link_id_share_links"),
            "share_links",
            ["share_link_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    # Several grants per learner and item cannot fit the old key: keep the earliest.
    op.execute(
        "DELETE FROM content_access WHERE id NOT IN ("
        " SELECT id FROM (SELECT id, ROW_NUMBER() OVER ("
        "  PARTITION BY content_id, user_id ORDER BY granted_at, id) AS n"
        "  FROM content_access) AS ranked WHERE n = 1)"
    )
    with op.batch_alter_table("content_access", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_content_access_share_link_id_share_links"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_content_access_share_link_id"))
        batch_op.drop_constraint(
            batch_op.f("uq_content_access_content_id_user_id_access_type"), type_="unique"
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_content_access_content_id_user_id"), ["content_id", "user_id"]
        )
        batch_op.drop_column("share_link_id")
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("share_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_links_email"))
        batch_op.drop_index(batch_op.f("ix_share_links_created_by"))
        batch_op.drop_index(batch_op.f("ix_share_links_content_id"))
        batch_op.drop_index(batch_op.f("ix_share_links_accepted_by"))
    op.drop_table("share_links")
