"""concept hidden

The owner of a material can hide a concept of its learning map: sessions and the map skip it,
the editor still lists it, and the learner's progress and notes on it are kept.

Revision ID: c5d1e7f20a4b
Revises: e4b7d2a91c60
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5d1e7f20a4b"
down_revision: str | None = "e4b7d2a91c60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.drop_column("hidden")
