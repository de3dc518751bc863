"""Work a process repeats on a timer (the job dispatcher, the file sweep).

Each timer runs in its own task; a failed run is logged and the next one runs on time.
The worker process runs them in production, the web process in the embedded mode.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from learningos.kit.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Timer:
    name: str
    seconds: float
    run: Callable[[], Awaitable[Any]]


@dataclass
class Timers:
    timers: list[Timer]
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(t), name=t.name) for t in self.timers]

    async def _loop(self, timer: Timer) -> None:
        while True:
            await asyncio.sleep(timer.seconds)
            try:
                await timer.run()
            except Exception as exc:  # noqa: BLE001 - logged; the next run comes anyway
                log.warning("periodic.failed", timer=timer.name, error=str(exc) or repr(exc))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
