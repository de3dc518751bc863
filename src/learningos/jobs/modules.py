"""The work a process does beside requests: the domains' task modules and the timers.

Each domain's `tasks.py` registers its jobs with `@job(...)` (jobs/registry.py); a process
can enqueue or run a job once its module is loaded. The app, the worker and the CLI call
`load_task_modules()` from here, so a new domain with jobs adds its module to this list
and touches nothing else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from learningos.kit.periodic import Timer

if TYPE_CHECKING:
    from learningos.services import Services

TASK_MODULES = (
    "learningos.account.tasks",
    "learningos.auth.tasks",
    "learningos.content.tasks",
    "learningos.donations.tasks",
    "learningos.creator.tasks",
    "learningos.learning.tasks",
    "learningos.ledger.tasks",
    "learningos.sales.tasks",
    "learningos.sharing.tasks",
    "learningos.webhooks.tasks",
)


def load_task_modules() -> None:
    """Import every task module (each registers its handlers; importing twice is a no-op)."""
    for name in TASK_MODULES:
        importlib.import_module(name)


def periodic_work(services: Services) -> list[Timer]:
    """The timers of the process that runs jobs: the worker in production, the web
    process in the embedded mode."""
    from learningos.content.cleanup import sweep
    from learningos.discover.popularity import refresh_all
    from learningos.ledger.tasks import schedule_release
    from learningos.webhooks.tasks import retry_waiting

    settings = services.settings
    return [
        Timer(
            "jobs.dispatch", settings.job_dispatch_interval_seconds, services.queue.dispatch_stale
        ),
        Timer("content.sweep_files", settings.cleanup_interval_seconds, lambda: sweep(services)),
        Timer(
            "ledger.release",
            settings.ledger_release_check_seconds,
            lambda: schedule_release(services),
        ),
        Timer(
            "webhooks.retry_waiting",
            settings.webhook_retry_interval_seconds,
            lambda: retry_waiting(services),
        ),
        Timer(
            "discover.popularity",
            settings.popularity_interval_seconds,
            lambda: refresh_all(services),
        ),
    ]
