"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from learningos.deps import ServicesDep
from learningos.kit.logging import get_logger
from learningos.services import Services

router = APIRouter(tags=["health"])
log = get_logger(__name__)
CHECK_TIMEOUT_S = 3.0


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process is up and serving."""
    return {"status": "ok"}


async def _check(name: str, coro) -> tuple[str, dict[str, object]]:
    start = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await coro
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none raised
        log.warning("health.check_failed", check=name, error=str(exc) or type(exc).__name__)
        return name, {"ok": False, "error": (str(exc) or type(exc).__name__)[:300]}
    return name, {"ok": True, "ms": round((time.perf_counter() - start) * 1000, 1)}


async def _db(services: Services) -> None:
    async with services.db.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _queue(services: Services) -> None:
    broker = services.queue.broker
    redis_pool = getattr(broker, "connection_pool", None)
    if redis_pool is not None:
        import redis.asyncio as aioredis

        async with aioredis.Redis(connection_pool=redis_pool) as conn:
            await conn.ping()


@router.get("/health/ready")
async def ready(services: ServicesDep) -> JSONResponse:
    """Readiness: the database, the cache, the vector store and the queue all answer."""
    results = dict(
        await asyncio.gather(
            _check("database", _db(services)),
            _check("cache", services.cache.ping()),
            _check("vector_store", services.index.check()),
            _check("queue", _queue(services)),
        )
    )
    failed = [name for name, r in results.items() if not r["ok"]]
    body = {"status": "ok" if not failed else "unavailable", "failed": failed, "checks": results}
    return JSONResponse(body, status_code=503 if failed else 200)
