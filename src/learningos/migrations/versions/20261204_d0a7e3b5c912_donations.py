"""donations: creator payment settings and donations

`creator_payment_settings` holds how a creator receives donations (Paddle on/off, their ABA
KHQR image and display name, their PayPal email or PayPal.me link), one row per creator.
`donations` holds each donation made through Paddle (pending until its webhook completes it;
refunded by an approved adjustment); KHQR and PayPal gifts are not processed, so have no row.

Revision ID: d0a7e3b5c912
Revises: a7c2e9d4b1f3
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db

revision: str = "d0a7e3b5c912"
down_revision: str | None = "a7c2e9d4b1f3"
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


def downgrade() -> None:
    op.drop_table("creator_payment_settings")
