"""Test harness: real databases built by the migrations, real app, real job queue.

Embedded run (default): SQLite file + in-memory cache/queue/rate limits.
Production run: set LEARNINGOS_TEST_DATABASE_URL (PostgreSQL, asyncpg) and
LEARNINGOS_TEST_REDIS_URL; a configured service that cannot be reached fails the run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from learningos.app import create_app
from learningos.config import Settings
from learningos.jobs.modules import load_task_modules
from learningos.kit.db import Base
from learningos.kit.migrate import upgrade
from learningos.services import Services

pytest_plugins = ["tests.evaldata"]

PG_URL = os.environ.get("LEARNINGOS_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("LEARNINGOS_TEST_REDIS_URL")
PASSWORD = "correct horse battery"


async def fresh_postgres(url: str) -> str:
    """Recreate the test database named in the URL, via the server's `postgres` database."""
    base, _, name = url.rpartition("/")
    admin = create_async_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await admin.dispose()
    return url


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
async def database_url(data_dir: Path) -> str:
    if PG_URL:
        url = await fresh_postgres(PG_URL)
    else:
        url = f"sqlite+aiosqlite:///{data_dir / 'test.db'}"
    await anyio.to_thread.run_sync(upgrade, url)
    return url


@pytest.fixture(scope="session")
async def redis_url() -> AsyncIterator[str | None]:
    if not REDIS_URL:
        yield None
        return
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    await client.ping()  # unreachable Redis fails the run; never a skip
    await client.flushdb()
    yield REDIS_URL
    await client.aclose()


def make_settings(
    data_dir: Path, database_url: str, redis_url: str | None, **extra: object
) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "data_dir": data_dir,
        "database_url": database_url,
        "redis_url": redis_url,
        "job_backoff_seconds": 0.05,
        "job_backoff_max_seconds": 0.2,
        "job_max_attempts": 3,
        "log_json": True,
        "log_level": "INFO",
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str, redis_url: str | None) -> Settings:
    return make_settings(data_dir, database_url, redis_url)


@pytest.fixture(scope="session")
async def services(settings: Settings) -> AsyncIterator[Services]:
    load_task_modules()
    svc = Services.build(settings)
    await svc.start()
    yield svc
    await svc.stop()


@pytest.fixture(scope="session")
async def app(settings: Settings, services: Services):  # type: ignore[no-untyped-def]
    application = create_app(settings, services)
    async with LifespanManager(application):
        yield application


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    yield
    if "services" not in request.fixturenames:
        return
    svc: Services = request.getfixturevalue("services")
    if not svc.settings.redis_url:
        await svc.queue.wait_idle(timeout=10)
    async with svc.db.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(table.delete())
    await svc.limiter.reset()
    if svc.settings.redis_url:
        import redis.asyncio as aioredis

        async with aioredis.from_url(svc.settings.redis_url) as client:
            await client.flushdb()
    else:
        await svc.cache.close()
    shutil.rmtree(svc.settings.outbox_dir, ignore_errors=True)


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def register(
    client: httpx.AsyncClient,
    email: str = "ann@example.com",
    name: str = "Ann Lee",
    password: str = PASSWORD,
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/register", json={"name": name, "email": email, "password": password}
    )


async def login(
    client: httpx.AsyncClient, email: str = "ann@example.com", password: str = PASSWORD
) -> dict:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


async def signed_in(client: httpx.AsyncClient, email: str = "ann@example.com") -> dict:
    assert (await register(client, email=email)).status_code == 201
    return await login(client, email=email)


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):  # type: ignore[no-untyped-def]
    """Poll an async check until it returns a truthy value."""
    async with asyncio.timeout(timeout):
        while True:
            result = await check()
            if result:
                return result
            await asyncio.sleep(interval)


@pytest.fixture
def captured_logs():  # type: ignore[no-untyped-def]
    """The JSON log lines written while the test runs, parsed."""
    import io
    import json
    import logging

    root = logging.getLogger()
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    lines.text = buffer.getvalue  # type: ignore[attr-defined]
    yield lines
    root.removeHandler(handler)
