"""One settings object for the whole service (env prefix ``LEARNINGOS_``).

Everything has an embedded default so ``make run`` works on a laptop with no
configuration; production swaps in PostgreSQL, Redis and a Qdrant server by
setting URLs. Settings are read when ``get_settings()`` is first called, never
at import time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from learningos.kit.signing import secret_problem

_RANDOM_VALUE_ADVICE = (
    "Use a long random value, for example: "
    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
)


class ProviderSettings(BaseModel):
    """An OpenAI-compatible chat endpoint."""

    base_url: str | None = None
    api_key: SecretStr | None = None
    timeout_seconds: float | None = None
    max_retries: int | None = None


class SettingsError(ValueError):
    """A configuration that must not run, with a message for the operator."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LEARNINGOS_",
        env_file=".env",
        env_ignore_empty=True,
        extra="ignore",
        validate_default=True,
    )

    env: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    web_workers: int = Field(default=1, ge=1, le=64)
    base_url: str = "http://127.0.0.1:8000"

    # Stores: embedded defaults when unset.
    database_url: str | None = None
    database_pool_size: int = 10
    redis_url: str | None = None
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None

    # Auth. Unset: a random secret generated on first start and kept in
    # <data_dir>/jwt-secret (required in production, where several machines share it).
    jwt_secret: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=120)
    refresh_token_days: int = Field(default=7, ge=1, le=90)
    cookie_secure: bool | None = None
    # Failed sign-ins: per client IP, and per (email, client IP). A known device (one that
    # signed in to the account before) is held only to the second limit, over its own failures.
    login_limit_per_ip: str = "20/minute"
    login_limit_per_email_ip: str = "5/minute"
    register_limit_per_ip: str = "10/hour"

    # HTTP. Proxies (IP addresses or networks) whose X-Forwarded-For / -Proto are believed:
    # the client IP for rate limits and the audit log, https in generated URLs. Empty: none.
    trusted_proxies: list[str] = []
    cors_origins: list[str] = []
    max_body_bytes: int = 1_048_576
    max_upload_bytes: int = 52_428_800
    log_level: str = "INFO"
    # JSON log lines; unset: JSON unless standard error is a terminal (then readable lines).
    log_json: bool | None = None

    # Jobs.
    job_max_attempts: int = Field(default=5, ge=1, le=50)
    job_backoff_seconds: float = Field(default=1.0, ge=0)
    job_backoff_max_seconds: float = Field(default=300.0, ge=0)
    worker_concurrency: int = Field(default=8, ge=1, le=256)
    # The jobs table is the queue's outbox: every this many seconds a worker re-sends the jobs
    # that are queued (or whose worker died) and that nobody took within the dispatch delay.
    job_dispatch_interval_seconds: float = Field(default=10.0, gt=0, le=3600)
    job_dispatch_delay_seconds: float = Field(default=30.0, ge=0, le=86_400)
    # A message whose worker stopped heartbeating for this long is taken by another worker
    # (the job's lease in the database expires a little earlier).
    job_reclaim_seconds: float = Field(default=60.0, ge=1, le=86_400)
    # One attempt of a job may run this long; past it the attempt fails and is retried.
    job_deadline_seconds: float = Field(default=1800.0, gt=0, le=86_400)
    # Stored upload files with no content row, and temporary upload folders, older than this
    # are removed by a sweep that runs every cleanup interval.
    orphan_file_grace_seconds: float = Field(default=3600.0, ge=0)
    cleanup_interval_seconds: float = Field(default=3600.0, gt=0)
    # How often "popular this week" (contents.learners_week) is recomputed.
    popularity_interval_seconds: float = Field(default=300.0, gt=0)
    # How long a discover page's order and total are reused (0: never); the cards themselves
    # are always read fresh, so an item that stops being listed leaves at once.
    discover_cache_seconds: float = Field(default=10.0, ge=0, le=300)

    # Content and files.
    max_pdf_pages: int = Field(default=1000, ge=1, le=20_000)
    # What one item may cost to process: its extracted characters (about 2,500 a page) and
    # its sections (chapters, sections and search chunks); above either it fails with a reason.
    max_item_characters: int = Field(default=3_000_000, ge=1_000)
    max_item_sections: int = Field(default=5_000, ge=10)
    # Uploads one learner may make (limits syntax: "N/minute|hour|day"); 429 with Retry-After.
    upload_limit_per_user: str = "60/day"
    # Processing time one learner's materials may use per day (their own time zone's day);
    # past it new uploads and re-processing answer 429 with Retry-After until the day ends.
    processing_minutes_per_user: int = Field(default=60, ge=1, le=24 * 60)
    # Memory a PDF's extraction may use beyond the extracting process's start-up size; a file
    # whose streams expand past it fails with that reason (the extraction runs in a child
    # process with its address space capped, so the worker never grows).
    pdf_memory_limit_mb: int = Field(default=512, ge=64, le=65_536)
    # Sharing: how long a share link or an email invitation can be used (never over 30 days),
    # and how many invitations one owner may send (limits syntax).
    share_link_days: int = Field(default=7, ge=1, le=30)
    invite_limit_per_owner: str = "30/hour"

    # Money. Sales and donations stay pending this many days (the refund window), then a
    # daily job makes them available; it is looked for every check interval.
    refund_window_days: int = Field(default=14, ge=0, le=365)
    ledger_release_check_seconds: float = Field(default=3600.0, gt=0, le=86_400)
    # Webhook signing secrets (unset: that provider's endpoint refuses every delivery).
    lemonsqueezy_webhook_secret: SecretStr | None = None
    paddle_webhook_secret: SecretStr | None = None
    # A Paddle signature older than this is stale (the SDK's default is 5 s).
    paddle_signature_tolerance_seconds: int = Field(default=5, ge=0, le=3600)
    # Deliveries one client IP may make per provider endpoint (limits syntax); the providers
    # send from few addresses, so this bounds floods, not real traffic.
    webhook_limit_per_ip: str = "600/minute"
    # An event whose handler says NotReady is tried again after base * 2^(tries - 1) seconds
    # (capped at an hour) and fails after this many tries.
    webhook_retry_base_seconds: float = Field(default=5.0, ge=0, le=3600)
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_retry_interval_seconds: float = Field(default=5.0, gt=0, le=3600)
    storage_backend: Literal["local", "s3"] = "local"
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None

    # Torch threads for the local embedding model (process-wide). 1 keeps query latency
    # steady next to web traffic; a dedicated worker can use every core for faster ingestion.
    embedding_threads: int = Field(default=1, ge=1, le=64)
    # The local model's matrix products: int8 (about 1.6x faster, same retrieval quality) or
    # fp32 (sentence-transformers' own vectors). Changing it needs `learningos reindex`.
    embedding_precision: Literal["int8", "fp32"] = "int8"

    # AI providers. OpenAI and DeepSeek by key; any other OpenAI-compatible endpoint (Ollama,
    # vLLM, llama.cpp server) by name in ai_providers. With no key every role uses the offline
    # engine.
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    deepseek_api_key: SecretStr | None = None
    deepseek_base_url: str = "https://api.deepseek.com"
    ai_providers: dict[str, ProviderSettings] = {}
    # role -> chain of "provider:model" tried in order, the offline engine last; unset roles
    # follow the reference design (planner, examiner, reviewer -> openai:gpt-4o; tutor, coach
    # -> deepseek:deepseek-chat) for the providers that have a key.
    ai_routing: dict[str, list[str]] = {}
    ai_timeout_seconds: float = Field(default=60.0, gt=0)
    ai_max_retries: int = Field(default=2, ge=0, le=10)
    # model -> [USD per million input tokens, USD per million output tokens], over the defaults.
    ai_prices: dict[str, tuple[float, float]] = {}
    # role -> {version: weight} for A/B tests of prompt versions (sticky per learner).
    ai_prompt_weights: dict[str, dict[int, float]] = {}
    # Per-learner AI budgets by tier, checked before each call.
    ai_budget_free_daily_usd: float = Field(default=0.10, ge=0)
    ai_budget_free_monthly_usd: float = Field(default=1.00, ge=0)
    ai_budget_subscriber_daily_usd: float = Field(default=1.00, ge=0)
    ai_budget_subscriber_monthly_usd: float = Field(default=15.00, ge=0)
    ai_calls_free_daily: int = Field(default=400, ge=0)
    ai_calls_subscriber_daily: int = Field(default=4000, ge=0)
    # Coach rule: confidence >= proceed -> proceed; >= practice -> practice task; else review.
    coach_proceed_threshold: float = Field(default=0.75, ge=0, le=1)
    coach_practice_threshold: float = Field(default=0.5, ge=0, le=1)
    # Spaced review: confidence below these bounds rates a review Again / Hard / Good; at or
    # above the last one, Easy (FSRS ratings).
    review_rating_bounds: tuple[float, float, float] = (0.4, 0.6, 0.85)
    # Time spent is summed from interaction timestamps; a gap longer than this counts as this.
    progress_idle_cap_seconds: int = Field(default=300, ge=10, le=7200)
    # Embeddings: auto = OpenAI when LEARNINGOS_OPENAI_API_KEY is set, else local MiniLM.
    embedding_provider: Literal["auto", "local", "openai"] = "auto"

    # Paddle Billing (donations): the API key (server-side, Bearer), sandbox or production
    # (picks https://sandbox-api.paddle.com or https://api.paddle.com), an API URL over that
    # (a local fake in tests), and the page on this site that opens Paddle's checkout (with
    # Paddle.js; its domain approved in Paddle). Unset: Paddle's default payment link.
    paddle_api_key: SecretStr | None = None
    paddle_env: Literal["sandbox", "production"] = "sandbox"
    paddle_api_url: str | None = None
    paddle_checkout_url: str | None = None
    paddle_timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    # One-time sales through Lemon Squeezy (a merchant of record). With no API key and not
    # in production, checkouts go to the built-in test checkout (no money moves).
    lemonsqueezy_api_key: SecretStr | None = None
    lemonsqueezy_store_id: str | None = None
    lemonsqueezy_variant_id: str | None = None
    lemonsqueezy_api_url: str = "https://api.lemonsqueezy.com"
    lemonsqueezy_test_mode: bool = True
    lemonsqueezy_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    lemonsqueezy_max_attempts: int = Field(default=3, ge=1, le=10)
    # The processor's fee on a sale (Lemon Squeezy: 5 % + $0.50), in basis points and cents.
    processor_fee_basis_points: int = Field(default=500, ge=0, le=5000)
    processor_fee_fixed_cents: int = Field(default=50, ge=0, le=10_000)
    # Prices are shown in USD with an approximate KHR amount beside them (riel per dollar).
    khr_per_usd: int = Field(default=4100, ge=1, le=1_000_000)
    checkout_limit_per_user: str = "30/hour"

    # Email.
    email_from: str = "Learning OS <hello@learningos.local>"

    # Demo: `learningos serve` seeds the demo learner and course when the database has no
    # users yet (never once anyone has an account). Unset: on only in the full embedded
    # configuration (SQLite, local Qdrant folder, no Redis, not production); refused in
    # production, so a production database never gets an account with a known password.
    demo_seed: bool | None = None

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.jwt_secret is not None:
            problem = secret_problem(self.jwt_secret.get_secret_value())
            if problem:
                raise SettingsError(f"LEARNINGOS_JWT_SECRET {problem}. {_RANDOM_VALUE_ADVICE}")
        elif self.env == "production":
            raise SettingsError(
                "LEARNINGOS_JWT_SECRET is required in production (every web and worker "
                f"process must share it). {_RANDOM_VALUE_ADVICE}"
            )
        if self.coach_practice_threshold > self.coach_proceed_threshold:
            raise SettingsError(
                "LEARNINGOS_COACH_PRACTICE_THRESHOLD must not be above "
                "LEARNINGOS_COACH_PROCEED_THRESHOLD."
            )
        if self.embedding_provider == "openai" and not self.openai_api_key:
            raise SettingsError(
                "LEARNINGOS_EMBEDDING_PROVIDER=openai needs LEARNINGOS_OPENAI_API_KEY."
            )
        if self.lemonsqueezy_api_key and not (
            self.lemonsqueezy_store_id and self.lemonsqueezy_variant_id
        ):
            raise SettingsError(
                "LEARNINGOS_LEMONSQUEEZY_API_KEY needs LEARNINGOS_LEMONSQUEEZY_STORE_ID and "
                "LEARNINGOS_LEMONSQUEEZY_VARIANT_ID (the store and the product variant whose "
                "price each checkout overrides)."
            )
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise SettingsError("LEARNINGOS_STORAGE_BACKEND=s3 needs LEARNINGOS_S3_BUCKET.")
        if self.env == "production" and self.process_local_stores:
            raise SettingsError(
                "Production mode cannot run on process-local stores "
                f"({', '.join(self.process_local_stores)}): other web and worker processes "
                "would not see them. Set LEARNINGOS_DATABASE_URL (PostgreSQL), "
                "LEARNINGOS_REDIS_URL and LEARNINGOS_QDRANT_URL."
            )
        if self.env == "production" and self.demo_seed:
            raise SettingsError(
                "LEARNINGOS_DEMO_SEED cannot be on in production: the demo account has a "
                "published password."
            )
        if self.web_workers > 1 and self.process_local_stores:
            raise SettingsError(
                f"Cannot run {self.web_workers} web workers on process-local stores "
                f"({', '.join(self.process_local_stores)}). Each worker would hold its own copy. "
                "Set LEARNINGOS_DATABASE_URL to PostgreSQL, LEARNINGOS_REDIS_URL and "
                "LEARNINGOS_QDRANT_URL, or run one worker."
            )
        return self

    @property
    def process_local_stores(self) -> list[str]:
        local = []
        if self.resolved_database_url.startswith("sqlite"):
            local.append("SQLite database")
        if not self.qdrant_url:
            local.append("local Qdrant folder")
        if not self.redis_url:
            local.append("in-memory queue, cache and rate limits")
        return local

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'learningos.db').as_posix()}"

    @property
    def seeds_demo(self) -> bool:
        """Whether a first start seeds the demo (LEARNINGOS_DEMO_SEED, else the embedded mode)."""
        return self.is_embedded if self.demo_seed is None else self.demo_seed

    @property
    def is_embedded(self) -> bool:
        """The explicit embedded configuration: every store is the process-local one and the
        environment is not production. A mix (say PostgreSQL without a Qdrant URL) is not."""
        return (
            self.env != "production"
            and self.migrates_on_start
            and not self.qdrant_url
            and not self.redis_url
        )

    @property
    def test_checkout_enabled(self) -> bool:
        """Checkouts go to the built-in test checkout: no processor key, not production."""
        return self.env != "production" and self.lemonsqueezy_api_key is None

    @property
    def migrates_on_start(self) -> bool:
        """A SQLite database is migrated by the commands that open it; PostgreSQL is
        migrated by the operator (`learningos db upgrade`)."""
        return self.resolved_database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else self.env == "production"

    @property
    def qdrant_path(self) -> Path:
        return self.data_dir / "qdrant"

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


@lru_cache
def get_settings() -> Settings:
    return Settings()
