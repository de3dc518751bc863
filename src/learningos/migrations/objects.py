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


def content_search_triggers() -> list[str]:
    """SQLite: the triggers that keep `content_search` equal to the listing fields of
    `contents`. A migration that rebuilds `contents` in batch mode drops them with the old
    table: it calls `restore_content_search_triggers` afterwards."""
    insert = (
        "INSERT INTO content_search (content_id, title, description, category) "
        "VALUES (new.id, new.title, coalesce(new.description, ''), "
        "replace(coalesce(new.category, ''), '-', ' '));"
    )
    remove = "DELETE FROM content_search WHERE content_id = old.id;"
    return [
        f"CREATE TRIGGER contents_search_insert AFTER INSERT ON contents BEGIN {insert} END",
        "CREATE TRIGGER contents_search_update AFTER UPDATE OF title, description, category "
        f"ON contents BEGIN {remove} {insert} END",
        f"CREATE TRIGGER contents_search_delete AFTER DELETE ON contents BEGIN {remove} END",
    ]


def restore_content_search_triggers(execute: Any) -> None:
    """Make the content search triggers again (after a batch rebuild of `contents`)."""
    for name in ("contents_search_insert", "contents_search_update", "contents_search_delete"):
        execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in content_search_triggers():
        execute(statement)
