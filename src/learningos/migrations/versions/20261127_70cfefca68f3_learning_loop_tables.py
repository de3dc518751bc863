"""learning loop tables

Revision ID: 70cfefca68f3
Revises: 9cb1f19608e4
Create Date: 2026-11-27 17:21:20.998612
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learningos.kit.db  # noqa: F401

revision: str = "70cfefca68f3"
down_revision: str | None = "9cb1f19608e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "engagement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("sessions_completed", sa.Integer(), nullable=False),
        sa.Column(
            "concept_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_engagement_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_engagement_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
        sa.UniqueConstraint(
            "user_id", "content_id", "month", name=op.f("uq_engagement_user_id_content_id_month")
        ),
    )
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_content_id"), ["content_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_month"), ["month"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_user_id"), ["user_id"], unique=False)

    op.create_table(
        "concept_progress",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("concept_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "confidence_history",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("last_confidence", sa.Double(), nullable=True),
        sa.Column(
            "gaps",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("time_spent_seconds", sa.Integer(), nullable=False),
        sa.Column(
            "fsrs_card",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("due_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'completed')",
            name=op.f("ck_concept_progress_status"),
        ),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_concept_progress_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_concept_progress_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_concept_progress_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concept_progress")),
        sa.UniqueConstraint(
            "user_id", "concept_id", name=op.f("uq_concept_progress_user_id_concept_id")
        ),
    )
    with op.batch_alter_table("concept_progress", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concept_progress_concept_id"), ["concept_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_concept_progress_content_id"), ["content_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_concept_progress_due_at"), ["due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_concept_progress_user_id"), ["user_id"], unique=False)

    op.create_table(
        "adaptations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("concept_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_adaptations_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_adaptations_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_adaptations_session_id_learning_sessions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_adaptations_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adaptations")),
    )
    with op.batch_alter_table("adaptations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adaptations_concept_id"), ["concept_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_adaptations_content_id"), ["content_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_adaptations_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_adaptations_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_adaptations_user_id"), ["user_id"], unique=False)

    op.create_table(
        "note_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("note_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "ai_feedback",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["user_notes.id"],
            name=op.f("fk_note_versions_note_id_user_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note_versions")),
        sa.UniqueConstraint("note_id", "version", name=op.f("uq_note_versions_note_id_version")),
    )
    with op.batch_alter_table("note_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_note_versions_note_id"), ["note_id"], unique=False)

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("concept_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_interactions_concept_id"), ["concept_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interactions_concept_id_concepts"),
            "concepts",
            ["concept_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=16), server_default="learn", nullable=False)
        )
        batch_op.add_column(sa.Column("milestone", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "queue",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("practice_task", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "summary",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column(
                "last_activity_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_activity_at")
        batch_op.drop_column("summary")
        batch_op.drop_column("practice_task")
        batch_op.drop_column("queue")
        batch_op.drop_column("milestone")
        batch_op.drop_column("mode")

    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interactions_concept_id_concepts"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_interactions_concept_id"))
        batch_op.drop_column("concept_id")

    with op.batch_alter_table("note_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_note_versions_note_id"))

    op.drop_table("note_versions")
    with op.batch_alter_table("adaptations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adaptations_user_id"))
        batch_op.drop_index(batch_op.f("ix_adaptations_session_id"))
        batch_op.drop_index(batch_op.f("ix_adaptations_created_at"))
        batch_op.drop_index(batch_op.f("ix_adaptations_content_id"))
        batch_op.drop_index(batch_op.f("ix_adaptations_concept_id"))

    op.drop_table("adaptations")
    with op.batch_alter_table("concept_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concept_progress_user_id"))
        batch_op.drop_index(batch_op.f("ix_concept_progress_due_at"))
        batch_op.drop_index(batch_op.f("ix_concept_progress_content_id"))
        batch_op.drop_index(batch_op.f("ix_concept_progress_concept_id"))

    op.drop_table("concept_progress")
    with op.batch_alter_table("engagement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_engagement_user_id"))
        batch_op.drop_index(batch_op.f("ix_engagement_month"))
        batch_op.drop_index(batch_op.f("ix_engagement_content_id"))

    op.drop_table("engagement")
