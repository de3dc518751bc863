"""note search

Full-text search over the learners' notes with each database's own engine: on PostgreSQL an
expression GIN index on to_tsvector('english', content); on SQLite an FTS5 table that the
notes repository keeps in step on every save, plus a trigger that removes a note's row when
the note is deleted by a cascade (its user, concept or content deleted). Neither object is in
the models: `learningos.notes.search.include_object` keeps them out of schema comparisons.

Revision ID: bdc424acd2ff
Revises: 70cfefca68f3
Create Date: 2026-11-27 18:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "bdc424acd2ff"
down_revision: str | None = "70cfefca68f3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with learningos.notes.search (the query must repeat the indexed expression).
PG_INDEX = "ix_user_notes_content_fts"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            f"CREATE INDEX {PG_INDEX} ON user_notes "
            "USING gin (to_tsvector('english'::regconfig, content))"
        )
    elif dialect == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE note_search USING fts5("
            "note_id UNINDEXED, user_id UNINDEXED, content, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO note_search (note_id, user_id, content) "
            "SELECT id, user_id, content FROM user_notes"
        )
        op.execute(
            "CREATE TRIGGER user_notes_search_delete AFTER DELETE ON user_notes "
            "BEGIN DELETE FROM note_search WHERE note_id = old.id; END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS user_notes_search_delete")
        op.execute("DROP TABLE IF EXISTS note_search")
