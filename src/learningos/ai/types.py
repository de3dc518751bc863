"""The narrow provider interface every chat backend implements."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class ChatRequest:
    # OpenAI format: [{"role": "system" | "user" | "assistant", "content": "..."}]
    messages: list[dict[str, str]]
    model: str
    json_mode: bool = False  # ask for a JSON object (response_format={"type": "json_object"})
    temperature: float = 0.3
    max_tokens: int | None = None


@dataclass
class ChatResult:
    text: str
    model: str
    tokens_in: int = 0
    tokens_out: int = 0
    finish_reason: str | None = None
    extra: dict[str, object] = field(default_factory=dict)


class ProviderError(Exception):
    """A provider could not answer (after its own retries). `reason` is a short machine code:
    timeout | rate_limited | server_error | auth | bad_request | connection | empty | malformed
    (malformed: the server answered 200 with a body that is not a valid reply)."""

    def __init__(self, provider: str, reason: str, message: str) -> None:
        super().__init__(f"{provider}: {reason}: {message}")
        self.provider = provider
        self.reason = reason
        self.message = message


class Provider(Protocol):
    name: str

    async def complete(self, request: ChatRequest) -> ChatResult:
        """One reply. Raises ProviderError when the provider cannot answer."""
        ...

    def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResult]:
        """Text deltas as they arrive, then one final ChatResult with the whole text and usage.
        Raises ProviderError (before or during the stream)."""
        ...

    async def aclose(self) -> None: ...
