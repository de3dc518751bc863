"""Database objects the migrations create and the models do not describe: the full-text
search tables and indexes of notes and of the discover listing. Schema comparisons
(autogenerate, the migration tests) leave them out."""

from __future__ import annotations

from typing import Any

from learningos.discover import search as listing_search
from learningos.notes import search as note_search

_TABLES = (note_search.FTS_TABLE, listing_search.FTS_TABLE)
_INDEXES = (note_search.PG_INDEX, listing_search.PG_INDEX)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic `include_object`: False for the search objects (FTS5 tables with their shadow
    tables, the GIN expression indexes)."""
    if type_ == "table" and name and any(name == t or name.startswith(t + "_") for t in _TABLES):
        return False
    return not (type_ == "index" and name in _INDEXES)
