"""Full-text search over the listing fields (title, description, category), with each
database's own engine, as notes do (`learningos.notes.search`).

PostgreSQL: the expression GIN index of the `discover` migration, matched with
`websearch_to_tsquery('english', q)` and ranked by ts_rank; the query repeats the indexed
expression literally so that the planner uses the index. SQLite: the FTS5 table
`content_search(content_id, title, description, category)` (porter stemming), ranked by bm25,
which the migration's triggers keep equal to `contents`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, Text, Uuid, column, func, literal_column, table
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from learningos.kit.textinput import without_control
from learningos.models.content import Content

FTS_TABLE = "content_search"
PG_INDEX = "ix_contents_listing_fts"
MAX_TERMS = 16

# Literal SQL, not bound parameters: the same expression as the GIN index (see the migration).
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")
_DOCUMENT: ColumnElement[Any] = literal_column(
    "to_tsvector('english'::regconfig, contents.title || ' ' || "
    "coalesce(contents.description, '') || ' ' || "
    "replace(coalesce(contents.category, ''), '-', ' '))"
)
fts = table(FTS_TABLE, column("content_id", Uuid()), column("title", Text()))
_FTS_NAME: ColumnElement[Any] = literal_column(FTS_TABLE)


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def terms(query: str) -> list[str]:
    """The searcher's words: whitespace-separated pieces holding a letter or a digit."""
    words = without_control(query).split()
    return [t for t in words if any(ch.isalnum() for ch in t)][:MAX_TERMS]


def fts5_query(query: str) -> str | None:
    """FTS5 syntax that cannot fail: each word a quoted phrase (quotes doubled), all required.
    None when nothing searchable is left (only punctuation, or empty)."""
    words = terms(query)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) if words else None


def pg_matches(query: str) -> ColumnElement[bool]:
    """PostgreSQL: the item's listing text matches the query (the GIN index's expression)."""
    return _DOCUMENT.op("@@", return_type=Boolean)(_pg_query(query))


def pg_rank(query: str) -> ColumnElement[float]:
    return func.ts_rank(_DOCUMENT, _pg_query(query), type_=Float())


def _pg_query(query: str) -> ColumnElement[Any]:
    return func.websearch_to_tsquery(_ENGLISH, without_control(query))


def fts5_matches(match: str) -> ColumnElement[bool]:
    """SQLite: the FTS5 row matches (use with a join of `fts` on `content_id`)."""
    return _FTS_NAME.op("MATCH", return_type=Boolean)(match)


def fts5_rank() -> ColumnElement[float]:
    """bm25 of the matched FTS5 row, negated so that higher is better."""
    return -func.bm25(_FTS_NAME, type_=Float())


def fts5_join_on() -> ColumnElement[bool]:
    return fts.c.content_id == Content.id
