"""concept hidden, map draft

The owner of a material can hide a concept of its learning map: sessions and the map skip it,
the editor still lists it, and the learner's progress and notes on it are kept. A regenerated
map waits in learning_maps.draft until the owner has seen what changed and replaces the map.

Revision ID: c5d1e7f20a4b
Revises: e4b7d2a91c60
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c5d1e7f20a4b"
down_revision: str | None = "e4b7d2a91c60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("learning_maps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "draft",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_maps", schema=None) as batch_op:
        batch_op.drop_column("draft")
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.drop_column("hidden")
