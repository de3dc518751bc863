"""content ingestion columns

Revision ID: 863bf5e317e6
Revises: d0f6dd3a2b2d
Create Date: 2026-11-27 14:13:17.561936
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db  # noqa: F401

revision: str = "863bf5e317e6"
down_revision: str | None = "d0f6dd3a2b2d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("file_name", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("file_sha256", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_contents_user_id_file_sha256"), ["user_id", "file_sha256"]
        )


def downgrade() -> None:
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_contents_user_id_file_sha256"), type_="unique")
        batch_op.drop_column("file_sha256")
        batch_op.drop_column("file_name")
        batch_op.drop_column("stage")
