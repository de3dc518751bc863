"""The Redis stream broker with a short reclaim and a heartbeat.

taskiq-redis's `RedisStreamBroker` takes over a message whose consumer died (XAUTOCLAIM)
only after `idle_timeout` (10 minutes by default) and only right after new messages
arrived, so on a quiet system a killed worker's job waited forever. Here the reclaim runs
on its own clock, every quarter of the reclaim timeout, whether or not anything new came;
and a live worker resets the idle time of every message it holds (XCLAIM to itself,
JUSTID) on the same clock, so only a dead or frozen worker's messages are taken.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from taskiq import AckableMessage
from taskiq_redis import RedisStreamBroker

from learningos.kit.logging import get_logger

log = get_logger(__name__)


class ReclaimingStreamBroker(RedisStreamBroker):
    def __init__(self, url: str, *, reclaim_seconds: float, **kwargs: Any) -> None:
        tick_ms = max(100, int(reclaim_seconds * 1000 / 4))
        kwargs.setdefault("xread_block", min(2000, tick_ms))
        super().__init__(url, idle_timeout=int(reclaim_seconds * 1000), **kwargs)
        self.tick_seconds = tick_ms / 1000
        # Messages this consumer received and has not acknowledged: id -> stream.
        self.held: dict[Any, Any] = {}
        self._heartbeat: asyncio.Task[None] | None = None

    def _ack_generator(self, id: Any, queue_name: Any) -> Callable[[], Awaitable[None]]:  # noqa: A002
        ack = super()._ack_generator(id, queue_name)

        async def _ack() -> None:
            await ack()
            self.held.pop(id, None)

        return _ack

    def _message(self, msg_id: Any, stream: Any, fields: Any) -> AckableMessage:
        self.held[msg_id] = stream
        return AckableMessage(
            data=fields[b"data"], ack=self._ack_generator(id=msg_id, queue_name=stream)
        )

    async def listen(self) -> AsyncGenerator[AckableMessage, None]:
        """New messages as they come; every tick, also the messages whose consumer stopped."""
        if self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat())
        next_reclaim = 0.0
        async with Redis(connection_pool=self.connection_pool) as redis:
            while True:
                fetched: Any = await redis.xreadgroup(
                    self.consumer_group_name,
                    self.consumer_name,
                    {self.queue_name: ">"},
                    block=self.block,
                    count=self.count,
                )
                for stream, messages in fetched or []:
                    for msg_id, fields in messages:
                        yield self._message(msg_id, stream, fields)
                if time.monotonic() < next_reclaim:
                    continue
                next_reclaim = time.monotonic() + self.tick_seconds
                for msg_id, fields in await self._reclaim(redis):
                    yield self._message(msg_id, self.queue_name, fields)

    async def _reclaim(self, redis: Redis) -> list[tuple[Any, Any]]:
        reply = await redis.xautoclaim(
            self.queue_name,
            self.consumer_group_name,
            self.consumer_name,
            min_idle_time=self.idle_timeout,
            count=self.unacknowledged_batch_size,
        )
        # Entries trimmed away come back empty; one this consumer still holds is not new.
        claimed = [(i, f) for i, f in reply[1] if f and i not in self.held]
        if claimed:
            log.warning("queue.reclaimed", count=len(claimed), consumer=self.consumer_name)
        return claimed

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.tick_seconds)
            held = dict(self.held)
            if not held:
                continue
            try:
                async with Redis(connection_pool=self.connection_pool) as redis:
                    for stream in set(held.values()):
                        ids = [i for i, s in held.items() if s == stream]
                        await redis.xclaim(
                            stream,
                            self.consumer_group_name,
                            self.consumer_name,
                            min_idle_time=0,
                            message_ids=ids,
                            justid=True,
                        )
            except Exception as exc:  # noqa: BLE001 - the next beat tries again
                log.warning("queue.heartbeat_failed", error=str(exc))

    async def shutdown(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        await super().shutdown()
