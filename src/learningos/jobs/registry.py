"""The job registry: each domain's `tasks.py` registers its handlers with `@job(...)`.

A process knows a job once its tasks module is imported; `jobs/modules.py` lists those
modules and every entry point (the app, the worker, the CLI) loads them from there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models.jobs import Job

if TYPE_CHECKING:
    from learningos.services import Services


class PermanentJobError(Exception):
    """A failure that retrying cannot fix; the job fails at once with this message."""


@dataclass
class JobContext:
    job: Job
    session: AsyncSession
    services: Services


JobHandler = Callable[[JobContext], Awaitable[None]]
FailureHandler = Callable[[JobContext, Exception], Awaitable[None]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: JobHandler
    max_attempts: int | None
    on_failure: FailureHandler | None
    deadline_seconds: float | None = None


_REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str,
    max_attempts: int | None = None,
    on_failure: FailureHandler | None = None,
    deadline_seconds: float | None = None,
) -> Callable[[JobHandler], JobHandler]:
    """Register a job handler under a dotted name (e.g. `auth.welcome_email`).

    `on_failure(ctx, exc)` runs in its own transaction once the job has failed for good,
    so the domain can record the failure where people see it. `deadline_seconds` bounds
    one attempt (default: the queue's deadline setting)."""

    def register(fn: JobHandler) -> JobHandler:
        _REGISTRY[name] = JobSpec(name, fn, max_attempts, on_failure, deadline_seconds)
        return fn

    return register


def find(name: str) -> JobSpec | None:
    """The registered job of this name; None if no loaded tasks module registers it."""
    return _REGISTRY.get(name)
