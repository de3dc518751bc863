"""one open session per learner and material, kept by the database

The sessions service refused a second open session, but two starts racing each other could
both pass its check. A partial unique index on (user_id, content_id) over the sessions that
are not completed makes the second insert fail. Duplicates left by such races before this
migration are closed first: the most recently active one of each pair stays open.

Revision ID: b81f4c6d2e05
Revises: a7c2e9d4b1f3
Create Date: 2026-12-04 18:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b81f4c6d2e05"
down_revision: str | None = "a7c2e9d4b1f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status != 'completed'")


def upgrade() -> None:
    op.execute(
        "UPDATE learning_sessions SET status = 'completed' WHERE id IN ("
        " SELECT id FROM (SELECT id, ROW_NUMBER() OVER ("
        "  PARTITION BY user_id, content_id"
        "  ORDER BY COALESCE(last_activity_at, created_at) DESC, id) AS n"
        "  FROM learning_sessions WHERE status != 'completed' AND content_id IS NOT NULL)"
        " AS ranked WHERE n > 1)"
    )
    op.create_index(
        "uq_learning_sessions_open",
        "learning_sessions",
        ["user_id", "content_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )


def downgrade() -> None:
    op.drop_index("uq_learning_sessions_open", table_name="learning_sessions")
