"""learning core, auth and jobs

Revision ID: d0f6dd3a2b2d
Revises:
Create Date: 2026-11-27 13:35:36.401200
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import learningos.kit.db

revision: str = "d0f6dd3a2b2d"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("avatar_url", sa.String(length=500), nullable=True),
        sa.Column(
            "preferences",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column(
            "password_changed_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_login_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('user', 'creator', 'admin')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_audit_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_audit_events_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_audit_events_event"), ["event"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)

    op.create_table(
        "contents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=True),
        sa.Column("file_key", sa.String(length=500), nullable=True),
        sa.Column("file_size", sa.Integer(), nullable=True),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.Column("cover_url", sa.String(length=500), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("is_platform_content", sa.Boolean(), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("accept_donations", sa.Boolean(), nullable=False),
        sa.Column("donation_message", sa.Text(), nullable=True),
        sa.Column("sales_count", sa.Integer(), nullable=False),
        sa.Column("rating_average", sa.Double(), nullable=False),
        sa.Column("rating_count", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'ready', 'error')", name=op.f("ck_contents_status")
        ),
        sa.CheckConstraint("type IN ('pdf', 'text', 'markdown')", name=op.f("ck_contents_type")),
        sa.CheckConstraint(
            "visibility IN ('private', 'shared', 'public', 'paid')",
            name=op.f("ck_contents_visibility"),
        ),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_contents_price_cents")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_contents_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contents")),
    )
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contents_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contents_is_platform_content"), ["is_platform_content"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_contents_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_contents_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_contents_visibility"), ["visibility"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("started_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_user_id"), ["user_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("family_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.String(length=40), nullable=True),
        sa.Column("remember", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_refresh_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refresh_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_refresh_tokens_token_hash")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "content_access",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("access_type", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("granted_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "access_type IN ('owner', 'shared', 'purchased', 'platform', 'subscriber')",
            name=op.f("ck_content_access_access_type"),
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_content_access_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["users.id"],
            name=op.f("fk_content_access_granted_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_content_access_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_access")),
        sa.UniqueConstraint(
            "content_id", "user_id", name=op.f("uq_content_access_content_id_user_id")
        ),
    )
    with op.batch_alter_table("content_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_access_content_id"), ["content_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_content_access_granted_by"), ["granted_by"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_content_access_user_id"), ["user_id"], unique=False)

    op.create_table(
        "content_sections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("order_index", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("embedding_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_content_sections_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["content_sections.id"],
            name=op.f("fk_content_sections_parent_id_content_sections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_sections")),
        sa.UniqueConstraint(
            "content_id", "order_index", name=op.f("uq_content_sections_content_id_order_index")
        ),
    )
    with op.batch_alter_table("content_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_content_sections_content_id"), ["content_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_content_sections_parent_id"), ["parent_id"], unique=False
        )

    op.create_table(
        "learning_maps",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("content_id", sa.Uuid(), nullable=False),
        sa.Column("overview", sa.Text(), nullable=False),
        sa.Column(
            "milestones",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("total_minutes", sa.Integer(), nullable=False),
        sa.Column("generated_by", sa.String(length=80), nullable=True),
        sa.Column("generated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_learning_maps_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_maps")),
    )
    with op.batch_alter_table("learning_maps", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_maps_content_id"), ["content_id"], unique=False
        )

    op.create_table(
        "concepts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learning_map_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("order_index", sa.Integer(), nullable=False),
        sa.Column("estimated_minutes", sa.Integer(), nullable=False),
        sa.Column("milestone", sa.Integer(), nullable=False),
        sa.Column(
            "prerequisites",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "source_sections",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("page_start", sa.Integer(), nullable=True),
        sa.Column("page_end", sa.Integer(), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("difficulty BETWEEN 1 AND 5", name=op.f("ck_concepts_difficulty")),
        sa.ForeignKeyConstraint(
            ["learning_map_id"],
            ["learning_maps.id"],
            name=op.f("fk_concepts_learning_map_id_learning_maps"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concepts")),
        sa.UniqueConstraint(
            "learning_map_id", "order_index", name=op.f("uq_concepts_learning_map_id_order_index")
        ),
    )
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_concepts_learning_map_id"), ["learning_map_id"], unique=False
        )

    op.create_table(
        "learning_sessions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("concept_id", sa.Uuid(), nullable=True),
        sa.Column("content_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("paused_from", sa.String(length=24), nullable=True),
        sa.Column("confidence_score", sa.Double(), nullable=True),
        sa.Column("time_spent_seconds", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("completed_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'paused', 'completed')", name=op.f("ck_learning_sessions_status")
        ),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_learning_sessions_concept_id_concepts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["contents.id"],
            name=op.f("fk_learning_sessions_content_id_contents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_learning_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_sessions")),
    )
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_learning_sessions_concept_id"), ["concept_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_learning_sessions_content_id"), ["content_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_learning_sessions_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_learning_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "user_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("concept_id", sa.Uuid(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column(
            "ai_feedback",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["concept_id"],
            ["concepts.id"],
            name=op.f("fk_user_notes_concept_id_concepts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_notes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_notes")),
    )
    with op.batch_alter_table("user_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_notes_concept_id"), ["concept_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_user_notes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "interactions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("user_input", sa.Text(), nullable=True),
        sa.Column("ai_response", sa.Text(), nullable=True),
        sa.Column(
            "evaluation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("provider", sa.String(length=40), nullable=True),
        sa.Column("model", sa.String(length=80), nullable=True),
        sa.Column("prompt_id", sa.String(length=80), nullable=True),
        sa.Column("prompt_version", sa.Integer(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("fallback_reason", sa.Text(), nullable=True),
        sa.Column("created_at", learningos.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name=op.f("fk_interactions_session_id_learning_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interactions")),
        sa.UniqueConstraint(
            "session_id", "client_id", name=op.f("uq_interactions_session_id_client_id")
        ),
    )
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interactions_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interactions_role"), ["role"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_interactions_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interactions_session_id"))
        batch_op.drop_index(batch_op.f("ix_interactions_role"))
        batch_op.drop_index(batch_op.f("ix_interactions_created_at"))

    op.drop_table("interactions")
    with op.batch_alter_table("user_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_notes_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_notes_concept_id"))

    op.drop_table("user_notes")
    with op.batch_alter_table("learning_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_learning_sessions_status"))
        batch_op.drop_index(batch_op.f("ix_learning_sessions_content_id"))
        batch_op.drop_index(batch_op.f("ix_learning_sessions_concept_id"))

    op.drop_table("learning_sessions")
    with op.batch_alter_table("concepts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_concepts_learning_map_id"))

    op.drop_table("concepts")
    with op.batch_alter_table("learning_maps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_maps_content_id"))

    op.drop_table("learning_maps")
    with op.batch_alter_table("content_sections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_sections_parent_id"))
        batch_op.drop_index(batch_op.f("ix_content_sections_content_id"))

    op.drop_table("content_sections")
    with op.batch_alter_table("content_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_content_access_user_id"))
        batch_op.drop_index(batch_op.f("ix_content_access_granted_by"))
        batch_op.drop_index(batch_op.f("ix_content_access_content_id"))

    op.drop_table("content_access")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family_id"))

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_user_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_status"))
        batch_op.drop_index(batch_op.f("ix_jobs_name"))

    op.drop_table("jobs")
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contents_visibility"))
        batch_op.drop_index(batch_op.f("ix_contents_user_id"))
        batch_op.drop_index(batch_op.f("ix_contents_status"))
        batch_op.drop_index(batch_op.f("ix_contents_is_platform_content"))
        batch_op.drop_index(batch_op.f("ix_contents_category"))

    op.drop_table("contents")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_audit_events_event"))
        batch_op.drop_index(batch_op.f("ix_audit_events_created_at"))

    op.drop_table("audit_events")
    op.drop_table("users")
