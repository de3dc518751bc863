"""donations: creator payment settings and donations

`creator_payment_settings` holds how a creator receives donations (Paddle on/off, their ABA
KHQR image and display name, their PayPal email or PayPal.me link), one row per creator.
`donations` holds each donation made through Paddle (pending until its webhook completes it;
refunded by an approved adjustment); KHQR and PayPal gifts are not processed, so have no row.

Revision ID: d0a7e3b5c912
Revises: b8d3f1a6c2e5
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db

revision: str = "d0a7e3b5c912"
down_revision: str | None = "b8d3f1a6c2e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = learningos.kit.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "creator_payment_settings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("paddle_enabled", sa.Boolean(), nullable=False),
        sa.Column("aba_khqr_enabled", sa.Boolean(), nullable=False),
        sa.Column("aba_khqr_image_url", sa.String(length=500), nullable=True),
        sa.Column("aba_khqr_image_key", sa.String(length=300), nullable=True),
        sa.Column("aba_khqr_account", sa.String(length=100), nullable=True),
        sa.Column("aba_khqr_name", sa.String(length=100), nullable=True),
        sa.Column("paypal_enabled", sa.Boolean(), nullable=False),
        sa.Column("paypal_email", sa.String(length=320), nullable=True),
        sa.Column("preferred_payout_method", sa.String(length=16), nullable=True),
        sa.Column("payout_aba_account", sa.String(length=100), nullable=True),
        sa.Column("payout_paypal_email", sa.String(length=320), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "preferred_payout_method IN ('aba', 'paypal', 'wise', 'bank_transfer')",
            name=op.f("ck_creator_payment_settings_preferred_payout_method"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_creator_payment_settings_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_creator_payment_settings")),
        sa.UniqueConstraint("user_id", name=op.f("uq_creator_payment_settings_user_id")),
    )
    op.create_table(
        "donations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("donor_id", sa.Uuid(), nullable=True),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("payment_provider", sa.String(length=32), nullable=False),
        sa.Column("provider_transaction_id", sa.String(length=64), nullable=True),
        sa.Column("fee_cents", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_at", UTC, nullable=True),
        sa.Column("refunded_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'completed', 'refunded')", name=op.f("ck_donations_status")
        ),
        sa.CheckConstraint(
            "payment_provider IN ('lemon_squeezy', 'paddle')",
            name=op.f("ck_donations_payment_provider"),
        ),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_donations_amount_cents")),
        sa.ForeignKeyConstraint(
            ["donor_id"],
            ["users.id"],
            name=op.f("fk_donations_donor_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["users.id"],
            name=op.f("fk_donations_recipient_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_donations_content_id_contents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donations")),
        sa.UniqueConstraint(
            "provider_transaction_id", name=op.f("uq_donations_provider_transaction_id")
        ),
    )
    with op.batch_alter_table("donations", schema=None) as batch_op:
        for column in ("donor_id", "recipient_id", "content_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_donations_{column}"), [column])


def downgrade() -> None:
    with op.batch_alter_table("donations", schema=None) as batch_op:
        for column in ("status", "content_id", "recipient_id", "donor_id"):
            batch_op.drop_index(batch_op.f(f"ix_donations_{column}"))
    op.drop_table("donations")
    op.drop_table("creator_payment_settings")
