"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import anyio
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, insert, inspect, select

import learningos.models  # noqa: F401
from learningos.kit.db import Base, make_engine
from learningos.kit.migrate import downgrade, upgrade
from learningos.migrations.objects import include_object
from tests.conftest import PG_URL, fresh_postgres

TARGETS = ["sqlite"] + (["postgresql"] if PG_URL else [])


async def _database(kind: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if kind == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"
    assert PG_URL
    return await fresh_postgres(PG_URL.rsplit("/", 1)[0] + "/learningos_schema_test")


def _diff(connection):  # type: ignore[no-untyped-def]
    opts = {"compare_type": True, "include_object": include_object}
    context = MigrationContext.configure(connection, opts=opts)
    return compare_metadata(context, Base.metadata)


def _indexed_fk_columns(connection):  # type: ignore[no-untyped-def]
    inspector = inspect(connection)
    missing = []
    for table in inspector.get_table_names():
        indexed = {tuple(ix["column_names"])[0] for ix in inspector.get_indexes(table)}
        indexed |= {tuple(uq["column_names"])[0] for uq in inspector.get_unique_constraints(table)}
        pk = inspector.get_pk_constraint(table)["constrained_columns"]
        for fk in inspector.get_foreign_keys(table):
            col = fk["constrained_columns"][0]
            if col not in indexed and col not in pk[:1]:
                missing.append(f"{table}.{col}")
    return missing


def _quoted(text: str) -> list[str]:
    return sorted(re.findall(r"'([^']*)'", text))


def _check_values_differ(connection):  # type: ignore[no-untyped-def]
    """Check constraints whose listed values (the enums' values) differ between the models and
    the migrated database: autogenerate does not compare them."""
    inspector = inspect(connection)
    differ = []
    for table in Base.metadata.sorted_tables:
        reflected = inspector.get_check_constraints(table.name)
        found = {c["name"]: _quoted(c["sqltext"]) for c in reflected}
        for check in table.constraints:
            if isinstance(check, sa.CheckConstraint):
                name = str(check.name)
                wanted = _quoted(str(check.sqltext))
                if found.get(name) != wanted:
                    differ.append((name, wanted, found.get(name)))
    return differ


@pytest.mark.parametrize("kind", TARGETS)
async def test_migrations_match_the_models(kind, tmp_path):
    url = await _database(kind, tmp_path)
    await anyio.to_thread.run_sync(upgrade, url)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
            missing = await conn.run_sync(_indexed_fk_columns)
            checks = await conn.run_sync(_check_values_differ)
    finally:
        await engine.dispose()
    assert diff == [], diff
    assert checks == [], f"check constraints that differ from the models' enums: {checks}"
    assert missing == [], f"foreign keys without an index: {missing}"


@pytest.mark.parametrize("kind", TARGETS)
async def test_migrations_downgrade_and_upgrade_again(kind, tmp_path):
    url = await _database(kind, tmp_path)
    await anyio.to_thread.run_sync(upgrade, url)
    await anyio.to_thread.run_sync(downgrade, url, "base")
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
    finally:
        await engine.dispose()
    assert set(tables) <= {"alembic_version"}
    await anyio.to_thread.run_sync(upgrade, url)


def test_timestamps_are_timezone_aware_everywhere():
    from learningos.kit.db import UTCDateTime

    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_at"):
                assert isinstance(column.type, UTCDateTime), f"{table.name}.{column.name}"


def _row(table_name: str, values: dict):  # type: ignore[no-untyped-def,type-arg]
    """A lightweight table with the columns of `values`, typed from the values, so a row can
    be written at an older revision than the models describe."""
    from learningos.kit.db import UTCDateTime

    def typed(value):  # type: ignore[no-untyped-def]
        for kind, sa_type in (
            (uuid.UUID, sa.Uuid()),
            (bool, sa.Boolean()),
            (int, sa.Integer()),
            (float, sa.Float()),
            (str, sa.String()),
            (datetime, UTCDateTime()),
        ):
            if isinstance(value, kind):
                return sa_type
        return sa.JSON()

    return sa.table(table_name, *(sa.column(k, typed(v)) for k, v in values.items()))


@pytest.mark.parametrize("kind", TARGETS)
async def test_notes_keep_their_text_through_the_upgrade_and_outlive_their_concept(kind, tmp_path):
    """A note written before notes outlived concepts is backfilled with its content item and
    concept title, keeps its versions (the SQLite table rebuild must not cascade), and then
    survives the deletion of its concept."""
    url = await _database(kind, tmp_path)
    await anyio.to_thread.run_sync(upgrade, url, "bdc424acd2ff")
    now = datetime.now(UTC)
    ids = {k: uuid.uuid4() for k in ("user", "content", "map", "concept", "note", "version")}
    stamps = {"created_at": now, "updated_at": now}
    rows = {
        "users": {"id": ids["user"], "email": "a@example.com", "name": "A",
                  "password_hash": "x", "role": "user", "preferences": {},
                  "is_active": True, **stamps},
        "contents": {"id": ids["content"], "user_id": ids["user"], "title": "Book",
                     "type": "pdf", "status": "ready", "progress": 100,
                     "visibility": "private", "is_platform_content": False, "price_cents": 0,
                     "currency": "USD", "accept_donations": False, "sales_count": 0,
                     "rating_average": 0.0, "rating_count": 0, **stamps},
        "learning_maps": {"id": ids["map"], "content_id": ids["content"], "overview": "",
                          "milestones": [], "total_minutes": 10, "generated_at": now,
                          **stamps},
        "concepts": {"id": ids["concept"], "learning_map_id": ids["map"], "title": "Variance",
                     "description": "", "difficulty": 2, "order_index": 0,
                     "estimated_minutes": 10, "milestone": 0, "prerequisites": [],
                     "source_sections": [], **stamps},
        "user_notes": {"id": ids["note"], "user_id": ids["user"], "concept_id": ids["concept"],
                       "content": "spread around the mean", "version": 1, **stamps},
        "note_versions": {"id": ids["version"], "note_id": ids["note"], "version": 1,
                          "content": "spread around the mean", "created_at": now},
    }  # fmt: skip
    tables = {name: _row(name, values) for name, values in rows.items()}
    notes = _row(
        "user_notes",
        {"id": ids["note"], "concept_id": ids["concept"], "content_id": ids["content"],
         "concept_title": "", "content": ""},
    )  # fmt: skip
    versions = tables["note_versions"]
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            for name, values in rows.items():
                await conn.execute(insert(tables[name]).values(**values))
        await anyio.to_thread.run_sync(upgrade, url)
        async with engine.begin() as conn:
            note = (await conn.execute(select(notes))).one()
            assert (note.content_id, note.concept_title) == (ids["content"], "Variance")
            assert len((await conn.execute(select(versions.c.id))).all()) == 1
            concepts = tables["concepts"]
            await conn.execute(delete(concepts).where(concepts.c.id == ids["concept"]))
        async with engine.begin() as conn:
            note = (await conn.execute(select(notes))).one()
            assert note.concept_id is None
            assert note.content == "spread around the mean"
            contents = tables["contents"]
            await conn.execute(delete(contents).where(contents.c.id == ids["content"]))
        async with engine.begin() as conn:  # the content item still takes its notes with it
            assert (await conn.execute(select(notes))).all() == []
            assert (await conn.execute(select(versions.c.id))).all() == []
    finally:
        await engine.dispose()


def test_sqlite_content_search_triggers_survive_later_rebuilds_of_contents(tmp_path):
    """Batch migrations rebuild `contents` on SQLite and drop its triggers with it: at the
    head the discover search triggers must all be there (else new items are never found)."""
    import sqlite3

    from learningos.kit.migrate import upgrade

    upgrade(f"sqlite+aiosqlite:///{tmp_path / 'head.db'}")
    with sqlite3.connect(tmp_path / "head.db") as db:
        names = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert {"contents_search_insert", "contents_search_update", "contents_search_delete"} <= names
