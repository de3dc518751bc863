"""discover: listing search, the category list and the listing orders

Full-text search over the listing fields (title, description, category) with each database's
own engine, as notes do: on PostgreSQL an expression GIN index on to_tsvector('english', …);
on SQLite an FTS5 table `content_search` that triggers keep in step with every insert, every
change of those three columns and every delete of a content row (whatever code path writes
them: the service, the demo seed, a test factory, a cascade). Neither object is in the models:
`learningos.migrations.objects.include_object` keeps them out of schema comparisons. Existing
rows are indexed here.

Also: `contents.category` is kept to the fixed list (`Category`; other values become NULL);
`contents.learners_week` holds the distinct learners of the last 7 days ("popular"), which a
timer recomputes from `learning_sessions` (read by `updated_at`); indexes serve the discover
orders (popular, new, rating, price).

A later migration that rebuilds `contents` on SQLite (batch mode copies and drops the table)
drops its triggers with it and must create them again
(`migrations/objects.py`: `restore_content_search_triggers`).

Revision ID: b8d3f1a6c2e4
Revises: b8d4f2a6c1e9
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from learningos.migrations.objects import content_search_triggers

revision: str = "b8d3f1a6c2e4"
down_revision: str | None = "b8d4f2a6c1e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Keep in step with learningos.discover.search (the query repeats the indexed expression).
PG_INDEX = "ix_contents_listing_fts"
PG_EXPRESSION = (
    "to_tsvector('english'::regconfig, title || ' ' || coalesce(description, '') || ' ' || "
    "replace(coalesce(category, ''), '-', ' '))"
)
FTS_TABLE = "content_search"
CATEGORIES = (
    "science", "mathematics", "computing", "engineering", "business", "humanities",
    "languages", "arts", "health", "social-sciences", "personal-development", "other",
)  # fmt: skip
INDEXES = {
    "ix_contents_created_at": ("contents", ["created_at"]),
    "ix_contents_rating": ("contents", ["rating_average", "rating_count"]),
    "ix_contents_price_cents": ("contents", ["price_cents"]),
    "ix_contents_learners_week": ("contents", ["learners_week"]),
    "ix_learning_sessions_recent": ("learning_sessions", ["updated_at", "content_id", "user_id"]),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    listed = ", ".join(f"'{c}'" for c in CATEGORIES)
    op.execute(f"UPDATE contents SET category = NULL WHERE category NOT IN ({listed})")  # noqa: S608 - constants
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.create_check_constraint("category", f"category IN ({listed})")
        batch_op.add_column(
            sa.Column("learners_week", sa.Integer(), server_default="0", nullable=False)
        )
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    if dialect == "postgresql":
        op.execute(f"CREATE INDEX {PG_INDEX} ON contents USING gin ({PG_EXPRESSION})")
    elif dialect == "sqlite":
        # After the batch rebuild of `contents` above: its triggers must be made on the new table.
        op.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
            "content_id UNINDEXED, title, description, category, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO content_search (content_id, title, description, category) "
            "SELECT id, title, coalesce(description, ''), "
            "replace(coalesce(category, ''), '-', ' ') FROM contents"
        )
        for statement in content_search_triggers():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
    elif dialect == "sqlite":
        for trigger in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS contents_search_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("contents", schema=None) as batch_op:
        batch_op.drop_column("learners_week")
        batch_op.drop_constraint("category", type_="check")
