"""The process's shared services, built from settings in the lifespan (web) or the worker."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import anyio
from pydantic import SecretStr

from learningos.config import Settings
from learningos.jobs.queue import JobQueue, make_broker
from learningos.kit.cache import Cache, drop_forgotten, make_cache
from learningos.kit.db import Database
from learningos.kit.email import EmailSender, OutboxEmailSender
from learningos.kit.logging import get_logger
from learningos.kit.periodic import Timer, Timers
from learningos.kit.ratelimit import RateLimiter
from learningos.kit.signing import load_or_create_secret
from learningos.kit.storage import Storage, make_storage
from learningos.kit.vectors import VectorStore

if TYPE_CHECKING:
    from learningos.ai.gateway import AIGateway
    from learningos.retrieval.index import SectionIndex

log = get_logger(__name__)


def test_checkout_secret(signing_secret: str, provider: str) -> str:
    """The webhook signing secret of the built-in test checkout for one provider, derived
    from this installation's signing secret (never a configured processor's)."""
    message = f"learningos.test-checkout:{provider}".encode()
    return hmac.new(signing_secret.encode(), message, hashlib.sha256).hexdigest()


def use_test_checkout_secrets(settings: Settings, signing_secret: str) -> None:
    """With the test checkout on (no processor keys, not production) and no webhook secret
    configured, the webhook endpoints verify with a derived secret, which the test checkout
    signs with: the whole paid path runs for a newcomer. A configured secret always wins."""
    if not settings.test_checkout_enabled:
        return
    for provider, field_name in (
        ("lemon_squeezy", "lemonsqueezy_webhook_secret"),
        ("paddle", "paddle_webhook_secret"),
    ):
        if getattr(settings, field_name, None) is None:
            secret = SecretStr(test_checkout_secret(signing_secret, provider))
            setattr(settings, field_name, secret)


@dataclass
class Services:
    settings: Settings
    db: Database
    cache: Cache
    limiter: RateLimiter
    vectors: VectorStore
    email: EmailSender
    storage: Storage
    # The token-signing secret: the configured one, else the one kept in the data folder.
    signing_secret: str = field(init=False, repr=False)
    queue: JobQueue = field(init=False)
    index: SectionIndex = field(init=False)
    ai: AIGateway = field(init=False)
    _warmup: asyncio.Task[None] | None = field(default=None, init=False, repr=False)
    _timers: Timers | None = field(default=None, init=False, repr=False)

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
            storage=make_storage(settings),
        )
        services.signing_secret = (
            settings.jwt_secret.get_secret_value()
            if settings.jwt_secret is not None
            else load_or_create_secret(settings.data_dir)
        )
        services.queue = JobQueue(
            make_broker(settings.redis_url, settings.job_reclaim_seconds),
            services.db,
            services,
            max_attempts=settings.job_max_attempts,
            backoff_seconds=settings.job_backoff_seconds,
            backoff_max_seconds=settings.job_backoff_max_seconds,
            # The lease lapses before the stream hands the message to another worker, so
            # the worker that gets it can take the job (see kit/stream.py).
            lease_seconds=settings.job_reclaim_seconds * 0.75,
            deadline_seconds=settings.job_deadline_seconds,
            dispatch_delay_seconds=settings.job_dispatch_delay_seconds,
        )
        use_test_checkout_secrets(settings, services.signing_secret)
        services.index = build_index(settings, services.vectors)
        services.ai = build_ai(settings, services.index)
        services.db.after_commit.append(services.queue.dispatch_pending)
        services.db.after_commit.append(partial(drop_forgotten, services.cache))
        return services

    async def start(self, *, timers: Sequence[Timer] = ()) -> None:
        """Connect the queue and warm the embedder; this process also runs the `timers`
        (the periodic work of jobs/modules.py: the worker does in production, the web
        process in the embedded mode)."""
        await self.queue.broker.startup()
        # Load the embedding model in the background so the first search is not slow.
        self._warmup = asyncio.create_task(self._warm_embedder())
        if not self.settings.redis_url:
            recovered = await self.queue.recover()
            if recovered:
                log.info("jobs.recovered", count=recovered)
        if timers:
            self._timers = Timers(list(timers))
            self._timers.start()

    async def _warm_embedder(self) -> None:
        try:
            await anyio.to_thread.run_sync(self.index.embedder.embed, ["warm up"])
        except Exception as exc:  # noqa: BLE001 - a failed warm-up is retried on first use
            log.warning("embedder.warmup_failed", error=str(exc))

    async def stop(self) -> None:
        if self._timers is not None:
            await self._timers.stop()
        if self._warmup is not None:
            await asyncio.wait([self._warmup], timeout=60)
        if not self.settings.redis_url:
            try:
                await self.queue.wait_idle(timeout=10)
            except TimeoutError:
                log.warning("jobs.shutdown_with_running_jobs")
        await self.queue.broker.shutdown()
        await self.ai.aclose()
        await self.vectors.close()
        await self.cache.close()
        await self.db.dispose()


def build_index(settings: Settings, vectors: VectorStore) -> SectionIndex:
    """The section index; the embedding model itself loads lazily on first use."""
    from learningos.retrieval.embeddings import make_embedder
    from learningos.retrieval.index import SectionIndex

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if settings.embedding_provider == "local":
        key = None
    embedder = make_embedder(
        key,
        settings.openai_base_url,
        local_threads=settings.embedding_threads,
        local_precision=settings.embedding_precision,
    )
    return SectionIndex(vectors, embedder)


def build_ai(settings: Settings, index: SectionIndex) -> AIGateway:
    """The AI gateway. The offline engine shares the local embedding model with the index
    when the index uses it (one copy of the model in memory)."""
    from learningos.ai.gateway import AIGateway, build_providers
    from learningos.retrieval.embeddings import LocalEmbedder

    local = index.embedder if isinstance(index.embedder, LocalEmbedder) else None
    return AIGateway(settings, build_providers(settings), local)
