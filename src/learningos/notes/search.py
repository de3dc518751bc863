"""Full-text search over a learner's notes, with each database's own engine.

PostgreSQL: `to_tsvector('english', content) @@ websearch_to_tsquery('english', q)`, ranked by
ts_rank and served by the expression GIN index of the `note_search` migration. SQLite: the FTS5
table `note_search(note_id, user_id, content)` (porter stemming), ranked by bm25, which the
notes repository keeps in step on every save and delete (a trigger of the migration removes
the row of a note deleted by a cascade). Neither object is in the models, so schema
comparisons leave them out with `include_object`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Text,
    Uuid,
    bindparam,
    column,
    delete,
    func,
    insert,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from learningos.kit.textinput import without_control
from learningos.models.learning import UserNote

FTS_TABLE = "note_search"
PG_INDEX = "ix_user_notes_content_fts"
LIMIT = 50
MAX_TERMS = 16

# A literal, not a bound parameter, so that the query repeats the GIN index's expression.
_ENGLISH: ColumnElement[Any] = literal_column("'english'::regconfig")
_fts = table(
    FTS_TABLE, column("note_id", Uuid()), column("user_id", Uuid()), column("content", Text())
)
_FTS_QUERY = (
    text(
        "SELECT note_id, bm25(note_search) AS rank FROM note_search "
        "WHERE note_search MATCH :match AND user_id = :user_id ORDER BY rank LIMIT :limit"
    )
    .bindparams(bindparam("user_id", type_=Uuid()))
    .columns(note_id=Uuid(), rank=Float())
)


@dataclass(frozen=True)
class Match:
    note_id: uuid.UUID
    rank: float  # higher is better


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def terms(query: str) -> list[str]:
    """The learner's words: whitespace-separated pieces holding a letter or a digit (control
    characters count as spaces, so no input can end an FTS5 string early)."""
    words = without_control(query).split()
    return [t for t in words if any(ch.isalnum() for ch in t)][:MAX_TERMS]


def fts5_query(query: str) -> str | None:
    """The query as FTS5 syntax that cannot fail: each word a quoted phrase (quotes doubled),
    all required. None when nothing searchable is left (only punctuation, or empty)."""
    words = terms(query)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) if words else None


async def index_note(
    session: AsyncSession, note_id: uuid.UUID, user_id: uuid.UUID, content: str
) -> None:
    """Replace the note's row in the SQLite index (PostgreSQL indexes the column itself)."""
    if dialect_of(session) != "sqlite":
        return
    await session.execute(delete(_fts).where(_fts.c.note_id == note_id))
    await session.execute(insert(_fts).values(note_id=note_id, user_id=user_id, content=content))


async def unindex_note(session: AsyncSession, note_id: uuid.UUID) -> None:
    if dialect_of(session) == "sqlite":
        await session.execute(delete(_fts).where(_fts.c.note_id == note_id))


async def search(
    session: AsyncSession, user_id: uuid.UUID, query: str, limit: int = LIMIT
) -> list[Match]:
    """The learner's notes matching the query, best first (another learner's never)."""
    dialect = dialect_of(session)
    if dialect == "postgresql":
        return await _search_postgres(session, user_id, query, limit)
    if dialect == "sqlite":
        return await _search_sqlite(session, user_id, query, limit)
    raise NotImplementedError(f"note search on {dialect}")


def _tsvector() -> ColumnElement[Any]:
    return func.to_tsvector(_ENGLISH, UserNote.content)


def _tsquery(query: str) -> ColumnElement[Any]:
    # Any text is valid web-search syntax; PostgreSQL only refuses NUL, dropped here.
    return func.websearch_to_tsquery(_ENGLISH, without_control(query))


def matches(query: str) -> ColumnElement[bool]:
    """PostgreSQL: the note's text matches the query (the GIN index's expression)."""
    return _tsvector().op("@@", return_type=Boolean)(_tsquery(query))


async def _search_postgres(
    session: AsyncSession, user_id: uuid.UUID, query: str, limit: int
) -> list[Match]:
    rank = func.ts_rank(_tsvector(), _tsquery(query), type_=Float())
    rows = await session.execute(
        select(UserNote.id, rank)
        .where(UserNote.user_id == user_id, matches(query))
        .order_by(rank.desc(), UserNote.updated_at.desc())
        .limit(limit)
    )
    return [Match(note_id, float(score)) for note_id, score in rows]


async def _search_sqlite(
    session: AsyncSession, user_id: uuid.UUID, query: str, limit: int
) -> list[Match]:
    match = fts5_query(query)
    if match is None:
        return []
    rows = await session.execute(_FTS_QUERY, {"match": match, "user_id": user_id, "limit": limit})
    return [Match(note_id, -float(score)) for note_id, score in rows]  # bm25: lower is better


def snippet(content: str, query: str, width: int = 220) -> str:
    """The part of the note around the first query word found, cut on word boundaries."""
    flat = " ".join(content.split())
    lowered = flat.lower()
    found = [p for p in (_position(lowered, t.lower()) for t in terms(query)) if p >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    if start:
        start = flat.find(" ", start) + 1 or start
    piece = flat[start : start + width]
    if start + width < len(flat):
        piece = piece.rsplit(" ", 1)[0] + " …"
    return ("… " if start else "") + piece


def _position(lowered: str, term: str) -> int:
    """Where the term, or failing that its stem-like first five letters, occurs."""
    term = re.sub(r"^\W+|\W+$", "", term)
    for probe in (term, term[:5]):
        if len(probe) >= 2 and (found := lowered.find(probe)) >= 0:
            return found
    return -1


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object`: leave the search objects, which the models do not describe,
    out of schema comparisons (the FTS5 table with its shadow tables, the GIN index)."""
    if type_ == "table" and name and (name == FTS_TABLE or name.startswith(FTS_TABLE + "_")):
        return False
    return not (type_ == "index" and name == PG_INDEX)
