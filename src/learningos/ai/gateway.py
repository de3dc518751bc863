"""The one way the product calls an AI role.

For each call: check the learner's budget, pick the prompt version (A/B, sticky per learner),
try the role's chain of providers in order — validating structured replies, with one repair
attempt — and end with the offline engine, which always answers. Boundaries are applied to
whatever answered. Every attempt is recorded as an `ai_usage` row (tokens, cost, latency, error)
and logged.

Each role takes a `store`: the caller's session (the budget is read and the usage rows are added
in the caller's transaction), or the `Database`, for a caller that must not hold a connection
while the provider answers: the budget check and the usage rows then get a short transaction
each, and the rows in `AIResult.records` are already saved (a later transaction links them to
an interaction by adding them to its session).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ai import prompting
from learningos.ai.budget import check_budget
from learningos.ai.inputs import (
    CoachInput,
    ExaminerInput,
    NoteInput,
    PlannerInput,
    ReviewerInput,
    Thresholds,
    TutorInput,
)
from learningos.ai.parsing import InvalidOutput, parse_output, repair_messages
from learningos.ai.pricing import cost, price_of, price_table
from learningos.ai.roles import SPECS, finish
from learningos.ai.routing import OFFLINE, Link, routing_table
from learningos.ai.schemas import (
    CoachOutput,
    ExaminerOutput,
    NoteFeedback,
    PlannerOutput,
    ReviewerOutput,
    TutorOutput,
)
from learningos.ai.types import ChatRequest, ChatResult, Provider, ProviderError
from learningos.config import Settings
from learningos.kit.db import Database
from learningos.models import AIUsage
from learningos.models.ai import AIRole
from learningos.models.user import Tier

log = structlog.get_logger("learningos.ai")
T = TypeVar("T")
Store = AsyncSession | Database
OFFLINE_LABEL = "offline engine"


@dataclass
class Caller:
    """Who the call is for. `check_budget=False` for work the system starts itself (the map
    built when processing finishes); it is still recorded against the learner."""

    user_id: uuid.UUID | None
    tier: str = Tier.FREE
    content_id: uuid.UUID | None = None
    check_budget: bool = True


@dataclass
class Usage:
    provider: str
    model: str
    prompt_id: str | None
    prompt_version: int | None
    tokens_in: int
    tokens_out: int
    cost_usd: Decimal
    latency_ms: int
    fallback: bool
    fallback_reason: str | None

    @property
    def engine(self) -> str:
        """How the interface names what answered."""
        return OFFLINE_LABEL if self.provider == OFFLINE else f"{self.provider} · {self.model}"


@dataclass
class AIResult(Generic[T]):
    output: T
    usage: Usage
    records: list[AIUsage] = field(default_factory=list)  # link them to the interaction

    @property
    def offline(self) -> bool:
        return self.usage.provider == OFFLINE

    def attach(self, interaction_id: uuid.UUID) -> None:
        for record in self.records:
            record.interaction_id = interaction_id


class _Failed(Exception):
    def __init__(self, reason: str, tokens_in: int = 0, tokens_out: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tokens_in = tokens_in
        self.tokens_out = tokens_out


class AIGateway:
    def __init__(
        self, settings: Settings, providers: dict[str, Provider], embedder: Any = None
    ) -> None:
        self.settings = settings
        self.providers = providers
        self.table = routing_table(settings)
        self.prices = price_table(settings)
        self.thresholds = Thresholds(
            proceed=settings.coach_proceed_threshold, practice=settings.coach_practice_threshold
        )
        self._embedder = embedder

    def status(self, embedding_model: str) -> dict[str, Any]:
        """The routing table in effect and the offline engine's state (the admin API and the
        settings page's AI tab)."""
        return {
            "routing": {role: [link.label for link in chain] for role, chain in self.table.items()},
            "providers": sorted(self.providers),
            "offline_engine": {
                "available": True,
                "only_engine": all(
                    all(link.provider == OFFLINE for link in chain) for chain in self.table.values()
                ),
                "embedding_model": embedding_model,
            },
            "thresholds": {
                "proceed": self.thresholds.proceed,
                "practice": self.thresholds.practice,
            },
        }

    # -- the roles -------------------------------------------------------------------------

    async def plan(
        self, inp: PlannerInput, caller: Caller, store: Store
    ) -> AIResult[PlannerOutput]:
        return await self._run(AIRole.PLANNER, inp, caller, store)

    async def tutor(self, inp: TutorInput, caller: Caller, store: Store) -> AIResult[TutorOutput]:
        return await self._run(AIRole.TUTOR, inp, caller, store)

    async def examine(
        self, inp: ExaminerInput, caller: Caller, store: Store
    ) -> AIResult[ExaminerOutput]:
        return await self._run(AIRole.EXAMINER, inp, caller, store)

    async def coach(self, inp: CoachInput, caller: Caller, store: Store) -> AIResult[CoachOutput]:
        result: AIResult[CoachOutput] = await self._run(AIRole.COACH, inp, caller, store)
        if result.output.decision == "practice" and not result.output.task:
            # The thresholds overrode the model's decision: the offline coach writes the task.
            offline = await self._offline_output(AIRole.COACH, inp)
            task = offline.task or "Apply the concept to a small example of your own."
            result.output = result.output.model_copy(update={"task": task})
        return result

    async def review(
        self, inp: ReviewerInput, caller: Caller, store: Store
    ) -> AIResult[ReviewerOutput]:
        return await self._run(AIRole.REVIEWER, inp, caller, store)

    async def note_feedback(
        self, inp: NoteInput, caller: Caller, store: Store
    ) -> AIResult[NoteFeedback]:
        return await self._run(AIRole.NOTES, inp, caller, store)

    async def stream_tutor(
        self, inp: TutorInput, caller: Caller, store: Store
    ) -> AsyncIterator[str | AIResult[TutorOutput]]:
        """The tutor's reply as text deltas, then the final AIResult (whose text has the
        boundaries applied; the page shows that final text). When a provider fails mid-reply
        the next one starts over: a "\\x00reset" delta tells the page to clear what it shows."""
        prompt = await self._prepare(AIRole.TUTOR, caller, store)
        rendered = prompting.render(prompt, SPECS[AIRole.TUTOR].variables(inp, self.thresholds))
        failures: list[str] = []
        records: list[AIUsage] = []
        for link in self.table[AIRole.TUTOR]:
            if link.provider == OFFLINE:
                break
            provider = self.providers[link.provider]
            request = ChatRequest(rendered.messages(), link.model, max_tokens=700)
            started = time.perf_counter()
            sent_any = False
            try:
                final: ChatResult | None = None
                async for piece in provider.stream(request):
                    if isinstance(piece, ChatResult):
                        final = piece
                    else:
                        sent_any = True
                        yield piece
                if final is None or not final.text.strip():
                    raise ProviderError(link.provider, "empty", "the stream ended without text")
            except ProviderError as exc:
                reason = f"{link.label}: {exc.reason}"
                failures.append(reason)
                records.append(
                    self._record(AIRole.TUTOR, link, prompt, caller, 0, 0, started, reason)
                )
                if sent_any:
                    yield "\x00reset"
                continue
            output = finish(AIRole.TUTOR, final.text, inp, self.thresholds, from_llm=True)
            usage = self._usage(link, prompt, final, started, failures)
            records.append(self._record_usage(AIRole.TUTOR, usage, caller, failures))
            await self._keep(store, records)
            yield AIResult(output, usage, records)
            return
        result: AIResult[TutorOutput] = await self._offline(
            AIRole.TUTOR, inp, caller, prompt, failures
        )
        result.records[:0] = records
        await self._keep(store, result.records)
        for chunk in _chunks(result.output.text):
            yield chunk
        yield result

    # -- the engine ------------------------------------------------------------------------

    async def _prepare(self, role: str, caller: Caller, store: Store) -> Any:
        if caller.check_budget and caller.user_id is not None:
            paid = any(link.provider != OFFLINE for link in self.table[role])
            if isinstance(store, Database):
                async with store.transaction() as session:
                    await check_budget(
                        session, self.settings, caller.user_id, caller.tier, paid=paid
                    )
            else:
                await check_budget(store, self.settings, caller.user_id, caller.tier, paid=paid)
        learner = str(caller.user_id) if caller.user_id else None
        return prompting.choose(role, learner, self.settings.ai_prompt_weights.get(role))

    async def _run(self, role: str, inp: Any, caller: Caller, store: Store) -> Any:
        prompt = await self._prepare(role, caller, store)
        spec = SPECS[role]
        rendered = prompting.render(prompt, spec.variables(inp, self.thresholds))
        failures: list[str] = []
        records: list[AIUsage] = []
        for link in self.table[role]:
            if link.provider == OFFLINE:
                break
            started = time.perf_counter()
            try:
                output, chat = await self._ask(role, link, rendered.messages(), inp)
            except _Failed as exc:
                reason = f"{link.label}: {exc.reason}"
                failures.append(reason)
                records.append(
                    self._record(
                        role, link, prompt, caller, exc.tokens_in, exc.tokens_out, started, reason
                    )
                )
                continue
            usage = self._usage(link, prompt, chat, started, failures)
            records.append(self._record_usage(role, usage, caller, failures))
            await self._keep(store, records)
            return AIResult(output, usage, records)
        result = await self._offline(role, inp, caller, prompt, failures)
        result.records[:0] = records
        await self._keep(store, result.records)
        return result

    async def _ask(
        self, role: str, link: Link, messages: list[dict[str, str]], inp: Any
    ) -> tuple[Any, ChatResult]:
        """One provider's answer, validated, with one repair turn for structured roles."""
        spec = SPECS[role]
        provider = self.providers[link.provider]
        structured = spec.output is not None
        request = ChatRequest(messages, link.model, json_mode=structured)
        chat = await self._chat(provider, request)
        if not structured:
            return finish(role, chat.text, inp, self.thresholds, from_llm=True), chat
        assert spec.output is not None
        try:
            output = parse_output(chat.text, spec.output)
            return finish(role, output, inp, self.thresholds, from_llm=True), chat
        except (InvalidOutput, ValueError) as first:
            repair = ChatRequest(repair_messages(messages, chat.text, str(first)), link.model, True)
            fixed = await self._chat(provider, repair, spent=chat)
            total = ChatResult(
                fixed.text,
                fixed.model,
                chat.tokens_in + fixed.tokens_in,
                chat.tokens_out + fixed.tokens_out,
            )
            try:
                output = parse_output(fixed.text, spec.output)
                return finish(role, output, inp, self.thresholds, from_llm=True), total
            except (InvalidOutput, ValueError) as second:
                raise _Failed(
                    f"invalid output after one repair ({second})",
                    total.tokens_in,
                    total.tokens_out,
                ) from second

    async def _chat(
        self, provider: Provider, request: ChatRequest, spent: ChatResult | None = None
    ) -> ChatResult:
        try:
            return await provider.complete(request)
        except ProviderError as exc:
            raise _Failed(
                exc.reason,
                spent.tokens_in if spent else 0,
                spent.tokens_out if spent else 0,
            ) from exc

    async def _offline_output(self, role: str, inp: Any) -> Any:
        spec = SPECS[role]
        embedder = self._local_embedder()
        output = await asyncio.to_thread(spec.offline, inp, embedder, self.thresholds)
        return finish(role, output, inp, self.thresholds, from_llm=False)

    async def _offline(
        self, role: str, inp: Any, caller: Caller, prompt: Any, failures: list[str]
    ) -> AIResult[Any]:
        started = time.perf_counter()
        output = await self._offline_output(role, inp)
        tokens_in, tokens_out = await asyncio.to_thread(
            _count_tokens, SPECS[role].input_text(inp), output
        )
        chat = ChatResult("", "offline-engine", tokens_in, tokens_out)
        link = Link(OFFLINE, "offline-engine")
        usage = self._usage(link, prompting.offline_prompt(role), chat, started, failures)
        return AIResult(output, usage, [self._record_usage(role, usage, caller, failures)])

    def _local_embedder(self) -> Any:
        if self._embedder is None:
            from learningos.retrieval.embeddings import LocalEmbedder

            self._embedder = LocalEmbedder(
                threads=self.settings.embedding_threads,
                precision=self.settings.embedding_precision,
            )
        return self._embedder

    # -- accounting ------------------------------------------------------------------------

    def _usage(
        self,
        link: Link,
        prompt: Any,
        chat: ChatResult,
        started: float,
        failures: list[str],
    ) -> Usage:
        model = chat.model or link.model
        if link.provider != OFFLINE and price_of(self.prices, model) is None:
            log.warning("ai.unknown_price", provider=link.provider, model=model)
        return Usage(
            provider=link.provider,
            model=model,
            prompt_id=prompt.id if prompt else None,
            prompt_version=prompt.version if prompt else None,
            tokens_in=chat.tokens_in,
            tokens_out=chat.tokens_out,
            cost_usd=cost(self.prices, model, chat.tokens_in, chat.tokens_out),
            latency_ms=int((time.perf_counter() - started) * 1000),
            fallback=bool(failures),
            fallback_reason="; ".join(failures) or None,
        )

    def _record_usage(
        self, role: str, usage: Usage, caller: Caller, failures: list[str]
    ) -> AIUsage:
        log.info(
            "ai.call",
            role=role,
            provider=usage.provider,
            model=usage.model,
            prompt=usage.prompt_id,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
            cost_usd=str(usage.cost_usd),
            latency_ms=usage.latency_ms,
            fallback=usage.fallback,
            fallback_reason=usage.fallback_reason,
        )
        return AIUsage(
            user_id=caller.user_id,
            content_id=caller.content_id,
            role=role,
            provider=usage.provider,
            model=usage.model,
            prompt_id=usage.prompt_id,
            prompt_version=usage.prompt_version,
            tokens_in=usage.tokens_in,
            tokens_out=usage.tokens_out,
            cost_usd=usage.cost_usd,
            latency_ms=usage.latency_ms,
            ok=True,
            fallback=bool(failures),
        )

    def _record(
        self,
        role: str,
        link: Link,
        prompt: Any,
        caller: Caller,
        tokens_in: int,
        tokens_out: int,
        started: float,
        reason: str,
    ) -> AIUsage:
        """A failed attempt: its tokens still count (a bad reply was paid for)."""
        log.warning("ai.attempt_failed", role=role, provider=link.provider, reason=reason)
        return AIUsage(
            user_id=caller.user_id,
            content_id=caller.content_id,
            role=role,
            provider=link.provider,
            model=link.model,
            prompt_id=prompt.id,
            prompt_version=prompt.version,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost_usd=cost(self.prices, link.model, tokens_in, tokens_out),
            latency_ms=int((time.perf_counter() - started) * 1000),
            ok=False,
            error=reason[:2000],
        )

    @staticmethod
    async def _keep(store: Store, records: list[AIUsage]) -> None:
        if isinstance(store, Database):
            async with store.transaction() as session:
                session.add_all(records)
        else:
            store.add_all(records)

    async def aclose(self) -> None:
        for provider in self.providers.values():
            await provider.aclose()


def _count_tokens(text: str, output: Any) -> tuple[int, int]:
    from learningos.retrieval.context import token_counter

    counter = token_counter()
    shown = output.model_dump_json() if hasattr(output, "model_dump_json") else str(output)
    return counter.count(text), counter.count(shown)


def _chunks(text: str, words: int = 6) -> list[str]:
    """The offline reply in small pieces, so the page shows it the same way as a stream."""
    parts = text.split(" ")
    return [
        " ".join(parts[i : i + words]) + (" " if i + words < len(parts) else "")
        for i in range(0, len(parts), words)
    ]


def build_providers(settings: Settings) -> dict[str, Provider]:
    """The configured OpenAI-compatible providers; clients connect on first use."""
    from learningos.ai.providers.openai_compat import OpenAICompatProvider

    timeout, retries = settings.ai_timeout_seconds, settings.ai_max_retries
    providers: dict[str, Provider] = {}
    if settings.openai_api_key:
        providers["openai"] = OpenAICompatProvider(
            "openai",
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key.get_secret_value(),
            timeout=timeout,
            max_retries=retries,
        )
    if settings.deepseek_api_key:
        providers["deepseek"] = OpenAICompatProvider(
            "deepseek",
            base_url=settings.deepseek_base_url,
            api_key=settings.deepseek_api_key.get_secret_value(),
            timeout=timeout,
            max_retries=retries,
        )
    for name, cfg in settings.ai_providers.items():
        if not cfg.base_url:
            continue
        providers[name] = OpenAICompatProvider(
            name,
            base_url=cfg.base_url,
            api_key=cfg.api_key.get_secret_value() if cfg.api_key else "not-needed",
            timeout=cfg.timeout_seconds or timeout,
            max_retries=cfg.max_retries if cfg.max_retries is not None else retries,
        )
    return providers
