"""ledger and webhook inbox

`ledger_transactions` (one money movement each, unique idempotency `key`) and
`ledger_entries` (its signed legs in integer cents, summing to zero per currency): balances
are sums of entries, never stored. `webhook_events` is the inbox of verified provider
events, raw body kept, unique per provider event (`unique_key`).

Revision ID: b8d4f2a6c1e9
Revises: b81f4c6d2e05
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db

revision: str = "b8d4f2a6c1e9"
down_revision: str | None = "b81f4c6d2e05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = learningos.kit.db.UTCDateTime(timezone=True)
LEDGER_KINDS = (
    "sale",
    "refund",
    "donation",
    "donation_refund",
    "release",
    "subscription_payment",
    "subscription_refund",
    "pool_share",
    "payout_hold",
    "payout_release",
    "payout_paid",
)
PROVIDERS = ("lemon_squeezy", "paddle")
STATUSES = ("received", "processed", "waiting", "failed", "ignored")


def _one_of(column: str, values: Sequence[str], table: str) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "ledger_transactions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("ref_type", sa.String(length=40), nullable=False),
        sa.Column("ref_id", sa.Uuid(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        _one_of("kind", LEDGER_KINDS, "ledger_transactions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transactions")),
        sa.UniqueConstraint("key", name=op.f("uq_ledger_transactions_key")),
    )
    with op.batch_alter_table("ledger_transactions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_transactions_kind"), ["kind"])
        batch_op.create_index(batch_op.f("ix_ledger_transactions_created_at"), ["created_at"])
        batch_op.create_index("ix_ledger_transactions_ref_type_ref_id", ["ref_type", "ref_id"])
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account", sa.String(length=120), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transactions.id"],
            name=op.f("fk_ledger_entries_transaction_id_ledger_transactions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_transaction_id"), ["transaction_id"])
        batch_op.create_index("ix_ledger_entries_account_currency", ["account", "currency"])
    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_name", sa.String(length=100), nullable=False),
        sa.Column("unique_key", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", UTC, nullable=True),
        sa.Column("received_at", UTC, nullable=False),
        sa.Column("processed_at", UTC, nullable=True),
        _one_of("provider", PROVIDERS, "webhook_events"),
        _one_of("status", STATUSES, "webhook_events"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_webhook_events_unique_key")),
    )
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        for column in ("provider", "event_name", "status", "next_attempt_at", "received_at"):
            batch_op.create_index(batch_op.f(f"ix_webhook_events_{column}"), [column])


def downgrade() -> None:
    op.drop_table("webhook_events")
    op.drop_table("ledger_entries")
    op.drop_table("ledger_transactions")
