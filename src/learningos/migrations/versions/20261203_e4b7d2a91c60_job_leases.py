"""job leases

The jobs table becomes the outbox of the job queue: `dispatched_at` is when the job's
message was last sent (a dispatcher re-sends queued jobs nobody took), `lease_owner` and
`lease_until` say which worker runs the job and until when its heartbeat holds it (an
expired lease means the worker died and the job may be taken again).

Revision ID: e4b7d2a91c60
Revises: a3c91f0e7b25
Create Date: 2026-12-03 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db

revision: str = "e4b7d2a91c60"
down_revision: str | None = "a3c91f0e7b25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("dispatched_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("lease_owner", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("lease_until", learningos.kit.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("lease_owner")
        batch_op.drop_column("dispatched_at")
