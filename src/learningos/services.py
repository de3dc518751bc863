"""The process's shared services, built from settings in the lifespan (web) or the worker."""

from __future__ import annotations

from dataclasses import dataclass, field

from learningos.config import Settings
from learningos.kit.cache import Cache, make_cache
from learningos.kit.db import Database
from learningos.kit.email import EmailSender, OutboxEmailSender
from learningos.kit.logging import get_logger
from learningos.kit.queue import JobQueue, make_broker
from learningos.kit.ratelimit import RateLimiter
from learningos.kit.vectors import VectorStore

log = get_logger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    cache: Cache
    limiter: RateLimiter
    vectors: VectorStore
    email: EmailSender
    queue: JobQueue = field(init=False)

    @classmethod
    def build(cls, settings: Settings) -> Services:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        services = cls(
            settings=settings,
            db=Database(settings.resolved_database_url, settings.database_pool_size),
            cache=make_cache(settings.redis_url),
            limiter=RateLimiter(settings.redis_url),
            vectors=VectorStore(
                settings.qdrant_url,
                settings.qdrant_path,
                settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None,
            ),
            email=OutboxEmailSender(settings.outbox_dir, settings.email_from),
        )
        services.queue = JobQueue(
            make_broker(settings.redis_url),
            services.db,
            services,
            max_attempts=settings.job_max_attempts,
            backoff_seconds=settings.job_backoff_seconds,
            backoff_max_seconds=settings.job_backoff_max_seconds,
        )
        services.db.after_commit.append(services.queue.dispatch_pending)
        install_user_cache(services)
        import_job_modules()
        return services

    async def start(self) -> None:
        await self.queue.broker.startup()
        if not self.settings.redis_url:
            recovered = await self.queue.recover()
            if recovered:
                log.info("jobs.recovered", count=recovered)

    async def stop(self) -> None:
        if not self.settings.redis_url:
            try:
                await self.queue.wait_idle(timeout=10)
            except TimeoutError:
                log.warning("jobs.shutdown_with_running_jobs")
        await self.queue.broker.shutdown()
        await self.vectors.close()
        await self.cache.close()
        await self.db.dispose()


def install_user_cache(services: Services) -> None:
    from learningos.auth.principal import drop_changed_users

    async def hook(session: object) -> None:
        await drop_changed_users(services, session)  # type: ignore[arg-type]

    services.db.after_commit.append(hook)


def import_job_modules() -> None:
    """Register every domain's job handlers (their modules only define functions)."""
    import learningos.auth.tasks  # noqa: F401
