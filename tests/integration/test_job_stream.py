"""The Redis stream broker: a dead consumer's message is reclaimed on a timer, with no new
traffic; a live consumer's heartbeat keeps its messages. Real Redis (the production pass)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from taskiq import AckableMessage, BrokerMessage

from learningos.kit.stream import ReclaimingStreamBroker

REDIS_URL = os.environ.get("LEARNINGOS_TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs LEARNINGOS_TEST_REDIS_URL")
RECLAIM = 1.2


@pytest.fixture
async def stream() -> AsyncIterator[str]:
    name = f"test:stream:{uuid.uuid4().hex}"
    yield name
    async with Redis.from_url(REDIS_URL or "") as redis:
        await redis.delete(name)


async def consumer(stream: str, name: str) -> ReclaimingStreamBroker:
    broker = ReclaimingStreamBroker(
        REDIS_URL or "", reclaim_seconds=RECLAIM, queue_name=stream, consumer_id="0"
    )
    broker.consumer_name = name
    await broker.startup()
    return broker


class Received:
    """The first message a consumer's listen loop yields, taken by a task (as the worker's
    receiver does); the loop then stays suspended, as in a worker busy with its jobs."""

    def __init__(self, broker: ReclaimingStreamBroker) -> None:
        self.listen = broker.listen()
        self.task = asyncio.create_task(anext(self.listen))

    async def next(self, timeout: float) -> AckableMessage | None:
        done, _ = await asyncio.wait({self.task}, timeout=timeout)
        return self.task.result() if done else None

    async def close(self) -> None:
        await self.listen.aclose()


async def test_a_dead_consumers_message_is_reclaimed_without_new_traffic(stream: str):
    a = await consumer(stream, "a")
    b = await consumer(stream, "b")
    await a.kick(BrokerMessage(task_id="1", task_name="t", message=b"job-1", labels={}))
    a_messages = Received(a)
    held = await a_messages.next(5)
    assert held is not None and held.data == b"job-1"
    # a is busy running it and reads nothing more (its loop does not reclaim either); only
    # its heartbeat shows it is alive, and that keeps the message well past the timeout.
    b_messages = Received(b)
    assert await b_messages.next(RECLAIM * 3) is None
    # a dies without acknowledging (its heartbeat stops too); nothing new is sent.
    assert a._heartbeat is not None
    a._heartbeat.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await a._heartbeat
    a._heartbeat = None
    reclaimed = await b_messages.next(RECLAIM * 4)
    assert reclaimed is not None and reclaimed.data == b"job-1"
    result = reclaimed.ack()
    if result is not None:
        await result
    async with Redis.from_url(REDIS_URL or "") as redis:
        pending = await redis.xpending(stream, b.consumer_group_name)
    assert pending["pending"] == 0
    await a_messages.close()
    await b_messages.close()
    await a.shutdown()
    await b.shutdown()
