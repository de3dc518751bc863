"""user avatar key

The storage key of a learner's uploaded profile picture (served by the app at
/avatars/<user id>/<file name>, which is kept in avatar_url).

Revision ID: a3c91f0e7b25
Revises: 5b2e8c41d7a9
Create Date: 2026-11-28 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a3c91f0e7b25"
down_revision: str | None = "5b2e8c41d7a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("avatar_key", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("avatar_key")
