"""Rate limits (the `limits` library): memory storage embedded, Redis in production."""

from __future__ import annotations

import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from learningos.kit.errors import RateLimited


class RateLimiter:
    def __init__(self, redis_url: str | None) -> None:
        self.storage: Storage
        if redis_url:
            self.storage = RedisStorage(
                "async+" + redis_url, implementation="redispy", key_prefix="lo-limits"
            )
        else:
            self.storage = MemoryStorage()
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._items: dict[str, RateLimitItem] = {}

    def _item(self, limit: str) -> RateLimitItem:
        if limit not in self._items:
            self._items[limit] = parse(limit)
        return self._items[limit]

    async def hit(self, limit: str, *identifiers: str) -> None:
        """Count one hit; raise RateLimited (with Retry-After) when over the limit."""
        item = self._item(limit)
        if not await self._limiter.hit(item, *identifiers):
            await self._refuse(item, *identifiers)

    async def check(self, limit: str, *identifiers: str) -> None:
        """Raise RateLimited when the limit is used up, without counting a hit (for limits
        that count failures, recorded with `hit` once an attempt has failed)."""
        item = self._item(limit)
        if not await self._limiter.test(item, *identifiers):
            await self._refuse(item, *identifiers)

    async def _refuse(self, item: RateLimitItem, *identifiers: str) -> None:
        stats = await self._limiter.get_window_stats(item, *identifiers)
        raise RateLimited(retry_after=int(stats.reset_time - time.time()) + 1)

    async def clear(self, limit: str, *identifiers: str) -> None:
        await self._limiter.clear(self._item(limit), *identifiers)

    async def reset(self) -> None:
        await self.storage.reset()
