"""The worker process: consumes the Redis job stream with Taskiq's receiver."""

from __future__ import annotations

import asyncio
import signal

from taskiq.receiver import Receiver

from learningos.config import Settings
from learningos.jobs.modules import load_task_modules, periodic_work
from learningos.kit.logging import configure_logging, get_logger
from learningos.services import Services

log = get_logger(__name__)


async def run_worker(settings: Settings, concurrency: int) -> None:
    configure_logging(settings.log_level, settings.log_json)
    load_task_modules()
    services = Services.build(settings)
    broker = services.queue.broker
    broker.is_worker_process = True
    await services.start(timers=periodic_work(services))
    finish = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, finish.set)
    receiver = Receiver(
        broker, max_async_tasks=concurrency, run_startup=False, wait_tasks_timeout=30
    )
    log.info("worker.started", concurrency=concurrency)
    try:
        await receiver.listen(finish)
    finally:
        log.info("worker.stopping")
        await services.stop()
