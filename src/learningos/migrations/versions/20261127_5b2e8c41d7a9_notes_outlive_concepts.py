"""notes outlive concepts

A learner's note belonged to a concept with ON DELETE CASCADE, so a regenerated learning map
that dropped the concept deleted the note. Now the note keeps its content item and the title
of the concept it was written for, and its concept reference becomes NULL instead.

On SQLite the table is rebuilt (batch mode) with foreign keys off (see env.py), and the
trigger that keeps note search in step is created again afterwards.

Revision ID: 5b2e8c41d7a9
Revises: bdc424acd2ff
Create Date: 2026-11-27 21:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b2e8c41d7a9"
down_revision: str | None = "bdc424acd2ff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_TRIGGER = (
    "CREATE TRIGGER user_notes_search_delete AFTER DELETE ON user_notes "
    "BEGIN DELETE FROM note_search WHERE note_id = old.id; END"
)


def upgrade() -> None:
    with op.batch_alter_table("user_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("concept_title", sa.String(length=300), server_default="", nullable=False)
        )
    op.execute(
        "UPDATE user_notes SET "
        "content_id = (SELECT m.content_id FROM concepts c "
        "JOIN learning_maps m ON m.id = c.learning_map_id WHERE c.id = user_notes.concept_id), "
        "concept_title = (SELECT c.title FROM concepts c WHERE c.id = user_notes.concept_id)"
    )
    with op.batch_alter_table("user_notes", schema=None) as batch_op:
        batch_op.alter_column("content_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.alter_column("concept_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.drop_constraint("fk_user_notes_concept_id_concepts", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_user_notes_concept_id_concepts"),
            "concepts",
            ["concept_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_user_notes_content_id_contents"),
            "contents",
            ["content_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(batch_op.f("ix_user_notes_content_id"), ["content_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS user_notes_search_delete")
        op.execute(SEARCH_TRIGGER)


def downgrade() -> None:
    # Notes whose concept is gone cannot point at one again: they go, as they would have.
    op.execute(
        "DELETE FROM note_versions WHERE note_id IN "
        "(SELECT id FROM user_notes WHERE concept_id IS NULL)"
    )
    op.execute("DELETE FROM user_notes WHERE concept_id IS NULL")
    with op.batch_alter_table("user_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_notes_content_id"))
        batch_op.drop_constraint("fk_user_notes_content_id_contents", type_="foreignkey")
        batch_op.drop_constraint("fk_user_notes_concept_id_concepts", type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_user_notes_concept_id_concepts"),
            "concepts",
            ["concept_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.alter_column("concept_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("concept_title")
        batch_op.drop_column("content_id")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS user_notes_search_delete")
        op.execute(SEARCH_TRIGGER)
