"""Alembic environment: async engines for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

import learningos.models  # noqa: F401 - registers the tables
from learningos.kit.db import Base, make_engine
from learningos.migrations.objects import include_object

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from learningos.config import get_settings

        url = get_settings().resolved_database_url
    return url


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    is_sqlite = (url or str(connection.engine.url if connection else "")).startswith("sqlite")
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=is_sqlite,
        compare_type=True,
        include_object=include_object,  # search objects the models do not describe
        literal_binds=connection is None,
    )


def run_offline() -> None:
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        await connection.run_sync(_run_sync)
        return
    url = _url()
    engine = make_engine(url)
    async with engine.connect() as conn:
        if url.startswith("sqlite"):
            await _run_sqlite(conn)
        else:
            await conn.run_sync(_run_sync)
        await conn.commit()
    await engine.dispose()


async def _run_sqlite(conn: Any) -> None:
    """SQLite changes a table by rebuilding it (batch mode); with foreign keys on, dropping
    the old table would cascade into the tables that refer to it. So they are off while the
    migrations run (outside any transaction, where the pragma takes effect) and the
    references are checked before the result is committed."""
    await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    await conn.run_sync(_run_sync)
    broken = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).fetchall()
    if broken:
        await conn.rollback()
        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    await conn.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_offline()
else:
    asyncio.run(run_online())
