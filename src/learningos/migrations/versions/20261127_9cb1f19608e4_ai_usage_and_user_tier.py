"""ai usage and user tier

Revision ID: 9cb1f19608e4
Revises: 863bf5e317e6
Create Date: 2026-11-27 16:23:46.969814
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import learningos.kit.db  # noqa: F401

revision: str = "9cb1f19608e4"
down_revision: str | None = "863bf5e317e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_usage",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("interaction_id", sa.Uuid(), nullable=True),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=False),
        sa.Column("prompt_id", sa.String(length=80), nullable=True),
        sa.Column("prompt_version", sa.Integer(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_ai_usage_content_id_contents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interaction_id"],
            ["interactions.id"],
            name=op.f("fk_ai_usage_interaction_id_interactions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ai_usage_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_usage")),
    )
    with op.batch_alter_table("ai_usage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ai_usage_content_id"), ["content_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ai_usage_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ai_usage_interaction_id"), ["interaction_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_ai_usage_prompt_id"), ["prompt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ai_usage_role"), ["role"], unique=False)
        batch_op.create_index("ix_ai_usage_user_created", ["user_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_ai_usage_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tier", sa.String(length=16), server_default="free", nullable=False)
        )
        batch_op.create_check_constraint("tier", "tier IN ('free', 'subscriber')")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("tier", type_="check")
        batch_op.drop_column("tier")

    with op.batch_alter_table("ai_usage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ai_usage_user_id"))
        batch_op.drop_index("ix_ai_usage_user_created")
        batch_op.drop_index(batch_op.f("ix_ai_usage_role"))
        batch_op.drop_index(batch_op.f("ix_ai_usage_prompt_id"))
        batch_op.drop_index(batch_op.f("ix_ai_usage_interaction_id"))
        batch_op.drop_index(batch_op.f("ix_ai_usage_created_at"))
        batch_op.drop_index(batch_op.f("ix_ai_usage_content_id"))

    op.drop_table("ai_usage")
