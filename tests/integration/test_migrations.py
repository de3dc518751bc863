"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import anyio
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import learningos.models  # noqa: F401
from learningos.kit.db import Base, make_engine
from learningos.kit.migrate import downgrade, upgrade
from learningos.notes.search import include_object
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


@pytest.mark.parametrize("kind", TARGETS)
async def test_migrations_match_the_models(kind, tmp_path):
    url = await _database(kind, tmp_path)
    await anyio.to_thread.run_sync(upgrade, url)
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
            missing = await conn.run_sync(_indexed_fk_columns)
    finally:
        await engine.dispose()
    assert diff == [], diff
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
