"""A small key-value cache: in-process memory (embedded) or Redis (production)."""

from __future__ import annotations

import time
from typing import Any, Protocol

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

FORGET = "learningos.forget_cache_keys"


class Cache(Protocol):
    async def get(self, key: str) -> str | None: ...
    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def ping(self) -> None: ...
    async def close(self) -> None: ...


class MemoryCache:
    def __init__(self, max_items: int = 50_000) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._max_items = max_items

    async def get(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires < time.monotonic():
            self._data.pop(key, None)
            return None
        return value

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        if len(self._data) >= self._max_items:
            self._evict()
        expires = time.monotonic() + ttl_seconds if ttl_seconds else None
        self._data[key] = (value, expires)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._data.clear()

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, (_, exp) in self._data.items() if exp is not None and exp < now]:
            del self._data[key]
        while len(self._data) >= self._max_items:
            self._data.pop(next(iter(self._data)))


class RedisCache:
    def __init__(self, url: str, prefix: str = "lo:") -> None:
        self._redis = aioredis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def get(self, key: str) -> str | None:
        value = await self._redis.get(self._prefix + key)
        return str(value) if value is not None else None

    async def set(self, key: str, value: str, ttl_seconds: int | None = None) -> None:
        await self._redis.set(self._prefix + key, value, ex=ttl_seconds)

    async def delete(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()


def make_cache(redis_url: str | None) -> Cache:
    return RedisCache(redis_url) if redis_url else MemoryCache()


def forget_on_commit(session_info: dict[Any, Any], key: str) -> None:
    """Drop `key` from the cache once this transaction commits (a row it caches changed)."""
    session_info.setdefault(FORGET, set()).add(key)


async def drop_forgotten(cache: Cache, session: AsyncSession) -> None:
    """The after-commit hook (services.py): drop the keys the transaction marked."""
    for key in session.info.pop(FORGET, set()):
        await cache.delete(key)
