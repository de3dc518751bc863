"""A chat provider for any OpenAI-compatible `/v1/chat/completions` endpoint, through the official
`openai` SDK (OpenAI itself, Azure-style gateways, vLLM, llama.cpp, Ollama, LM Studio, ...).

Retries are the SDK's own (`max_retries`: exponential backoff with jitter on 408/409/429/5xx,
timeouts and connection errors, honouring `Retry-After`/`retry-after-ms`). Every failure the SDK
gives up on becomes a `ProviderError` with a short reason code; the API key never appears in
those messages. The `openai` package is imported on first use only (it takes about a second to
import), and the client is created then too: constructing the provider does no I/O.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

from learningos.ai.types import ChatRequest, ChatResult, ProviderError

if TYPE_CHECKING:
    import httpx2
    from openai import AsyncOpenAI
    from openai.types.chat import ChatCompletionMessageParam

_MAX_MESSAGE_CHARS = 300
# Sent when no key is configured: keyless local servers (Ollama, llama.cpp, vLLM) ignore it, a
# real API answers 401 (reason "auth"). The SDK itself refuses to start without any key.
_NO_KEY = "no-key"


class OpenAICompatProvider:
    """`learningos.ai.types.Provider` over the OpenAI chat-completions wire format.

    `base_url` is the API root including the version, e.g. "https://api.openai.com/v1" or
    "http://127.0.0.1:11434/v1"; None means the SDK default (OPENAI_BASE_URL, else OpenAI).
    `timeout` applies to each connect/read/write (seconds). `http_client` (an `httpx` or `httpx2`
    AsyncClient) is optional; when given, it belongs to the caller, who closes it.
    """

    def __init__(
        self,
        name: str,
        *,
        base_url: str | None,
        api_key: str,
        timeout: float = 30.0,
        max_retries: int = 2,
        http_client: Any = None,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.name = name
        self.base_url = base_url
        self.timeout = timeout
        self.max_retries = max_retries
        self._api_key = api_key
        self._http_client = http_client
        self._client: AsyncOpenAI | None = None

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAICompatProvider(name={self.name!r}, base_url={self.base_url!r})"

    # -- Provider protocol ---------------------------------------------------------------------

    async def complete(self, request: ChatRequest) -> ChatResult:
        try:
            response: Any = await self._sdk().chat.completions.create(**self._params(request))
        except _sdk_errors() as exc:
            raise self._error(exc) from None
        try:
            # Read defensively: without strict validation the SDK builds whatever came back, and
            # returns the raw text when the body is not JSON.
            choices = list(response.choices or ())
            choice = choices[0] if choices else None
            message = choice.message if choice is not None else None
            text = message.content if message is not None else None
            finish_reason = choice.finish_reason if choice is not None else None
            model, response_id = response.model, response.id
            usage = _usage(response.usage)
        except (AttributeError, TypeError, ValueError):
            raise self._fail("malformed", f"not a chat.completion: {response!r}") from None
        if choice is None:
            raise self._fail("empty", "the reply has no choices")
        if not isinstance(text, str) or not text.strip():
            raise self._fail("empty", f"the reply has no content (finish_reason={finish_reason})")
        extra: dict[str, object] = {"id": response_id}
        if usage is None:
            extra["usage_missing"] = True
        return ChatResult(
            text=text,
            model=model if isinstance(model, str) and model else request.model,
            tokens_in=usage[0] if usage else 0,
            tokens_out=usage[1] if usage else 0,
            finish_reason=finish_reason,
            extra=extra,
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ChatResult]:
        """Text deltas as they arrive, then one ChatResult with the whole text and the usage
        (from the final chunk; `extra["usage_missing"]` when the server sends none)."""
        try:
            chunks: Any = await self._sdk().chat.completions.create(
                **self._params(request), stream=True, stream_options={"include_usage": True}
            )
        except _sdk_errors() as exc:
            raise self._error(exc) from None
        parts: list[str] = []
        seen = 0
        model: object = None
        finish_reason: str | None = None
        usage: tuple[int, int] | None = None
        try:
            while True:
                try:
                    chunk = await chunks.__anext__()
                except StopAsyncIteration:
                    break
                except _sdk_errors() as exc:
                    raise self._error(exc) from None
                try:
                    seen += 1
                    model = model or chunk.model
                    usage = _usage(chunk.usage) or usage
                    delta: object = None
                    for choice in chunk.choices or ():
                        if choice.index not in (0, None):
                            continue
                        finish_reason = choice.finish_reason or finish_reason
                        delta = choice.delta.content if choice.delta is not None else None
                except (AttributeError, TypeError, ValueError):
                    raise self._fail(
                        "malformed", f"not a chat.completion.chunk: {chunk!r}"
                    ) from None
                if isinstance(delta, str) and delta:
                    parts.append(delta)
                    yield delta
        finally:
            await chunks.close()
        text = "".join(parts)
        if not seen:
            raise self._fail("malformed", "the stream carried no chat.completion.chunk events")
        if not text.strip():
            raise self._fail("empty", f"the stream has no content (finish_reason={finish_reason})")
        yield ChatResult(
            text=text,
            model=model if isinstance(model, str) and model else request.model,
            tokens_in=usage[0] if usage else 0,
            tokens_out=usage[1] if usage else 0,
            finish_reason=finish_reason,
            extra={} if usage else {"usage_missing": True},
        )

    async def aclose(self) -> None:
        """Close the SDK client (and its connection pool, unless the caller supplied
        `http_client`). A later call creates a fresh client."""
        client, self._client = self._client, None
        if client is not None and self._http_client is None:
            await client.close()

    # -- internals -----------------------------------------------------------------------------

    def _sdk(self) -> AsyncOpenAI:
        if self._client is None:
            from openai import AsyncOpenAI

            self._client = AsyncOpenAI(
                api_key=self._api_key or _NO_KEY,
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=self.max_retries,
                http_client=cast("httpx2.AsyncClient | None", self._http_client),
            )
        return self._client

    @staticmethod
    def _params(request: ChatRequest) -> dict[str, Any]:
        messages = cast("list[ChatCompletionMessageParam]", request.messages)
        params: dict[str, Any] = {
            "model": request.model,
            "messages": messages,
            "temperature": request.temperature,
        }
        if request.max_tokens is not None:
            params["max_tokens"] = request.max_tokens
        if request.json_mode:
            params["response_format"] = {"type": "json_object"}
        return params

    def _fail(self, reason: str, message: str) -> ProviderError:
        message = self._redact(message)
        if len(message) > _MAX_MESSAGE_CHARS:
            message = message[: _MAX_MESSAGE_CHARS - 3] + "..."
        return ProviderError(self.name, reason, message)

    def _redact(self, text: str) -> str:
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return text

    def _error(self, exc: BaseException) -> ProviderError:
        """The ProviderError for an exception the SDK raised (after its own retries)."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return self._fail("timeout", f"no answer within {self.timeout:g} s per attempt")
        if isinstance(exc, openai.APIConnectionError):
            return self._fail("connection", _describe_connection_error(exc))
        if isinstance(exc, openai.APIResponseValidationError):
            return self._fail("malformed", f"HTTP {exc.status_code}: {exc.message}")
        if isinstance(exc, openai.APIStatusError):
            return self._fail(_status_reason(exc.status_code), _describe_status_error(exc))
        if isinstance(exc, openai.APIError):  # an error event inside a stream
            return self._fail("server_error", exc.message)
        if isinstance(exc, openai.OpenAIError):  # client-side: configuration, arguments
            return self._fail("bad_request", f"{type(exc).__name__}: {exc}")
        # A body (or stream event) that is not JSON, or JSON the SDK cannot build a model from.
        return self._fail("malformed", f"the reply is not a valid chat completion ({exc})")


def _sdk_errors() -> tuple[type[Exception], ...]:
    """What the SDK raises for a failed call; anything else is a bug and propagates as is."""
    import openai
    import pydantic

    return (openai.OpenAIError, json.JSONDecodeError, pydantic.ValidationError)


def _usage(usage: Any) -> tuple[int, int] | None:
    """(prompt_tokens, completion_tokens), or None when the server sent no usage."""
    if usage is None:
        return None
    return int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)


def _status_reason(status: int) -> str:
    if status in (401, 403):
        return "auth"
    if status == 429:
        return "rate_limited"
    if status == 408:
        return "timeout"
    if status >= 500:
        return "server_error"
    return "bad_request"


def _describe_status_error(exc: Any) -> str:
    """`HTTP 429 [code]: message`, from the OpenAI error body or whatever body came."""
    body = exc.body
    error = body.get("error", body) if isinstance(body, dict) else body
    message: object = None
    code: object = None
    if isinstance(error, dict):
        message, code = error.get("message"), error.get("code")
    elif isinstance(error, str):
        message = error
    text = f"HTTP {exc.status_code}"
    if code:
        text += f" [{code}]"
    if message:
        text += f": {message}"
    return text


def _describe_connection_error(exc: BaseException) -> str:
    cause = exc.__cause__  # the transport error (httpx2.ConnectError, ReadError, ...)
    detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
    return f"cannot reach the server{detail}"
