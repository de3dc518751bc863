"""A local fake of an OpenAI-compatible chat API, served over real HTTP for the real SDK.

    from tests.fakes.openai_server import FakeOpenAI, reply, status, delay, malformed

    with FakeOpenAI(api_key="test-key") as fake:
        fake.enqueue(status(429), reply("Hello there", prompt_tokens=12))
        ...  # point a client at fake.base_url ("http://127.0.0.1:PORT/v1") with key "test-key"
        assert len(fake.requests) == 2
        assert fake.requests[-1].json["model"] == "gpt-test"

`POST /v1/chat/completions` answers like OpenAI: a `chat.completion` JSON body, or, when the
request has `"stream": true`, a `text/event-stream` of `chat.completion.chunk` events (plus a
final usage-only chunk when `stream_options.include_usage` is set) ending with `data: [DONE]`.
A wrong `Authorization: Bearer <key>` gets OpenAI's 401 error body; that check happens before
(and without consuming) the queue. Each other request consumes one queued behaviour, first in
first out; with the queue empty the `default` behaviour answers (a fixed text reply).
Error statuses carry `retry-after-ms: 10` by default so the SDK's retries are quick.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import json
import re
import socket
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.threaded import ThreadedServer

DEFAULT_API_KEY = "test-key"
DEFAULT_TEXT = "Hello from the fake OpenAI server."
RETRY_AFTER_MS = 10

_STATUS_ERRORS: dict[int, tuple[str, str, str | None]] = {
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to sample from this model.", "invalid_request_error", None),
    404: ("The model does not exist or you do not have access to it.", "invalid_request_error",
          "model_not_found"),
    408: ("Request timed out.", "timeout", None),
    429: ("Rate limit reached for requests. Please try again later.", "requests",
          "rate_limit_exceeded"),
    500: ("The server had an error while processing your request. Sorry about that!",
          "server_error", None),
    502: ("Bad gateway.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}  # fmt: skip


# -- behaviours ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """A successful completion (streamed when the request asks for a stream)."""

    text: str
    prompt_tokens: int | None = None  # None: the whitespace words of the request's messages
    completion_tokens: int | None = None  # None: the whitespace words of `text`
    finish_reason: str = "stop"
    model: str | None = None  # None: the model the request named
    include_usage: bool = True  # False: no usage at all (neither body nor final stream chunk)
    chunks: tuple[str, ...] | None = None  # stream deltas; None: split after each word


@dataclass(frozen=True)
class Status:
    """An HTTP error with OpenAI's error body `{"error": {message, type, param, code}}`."""

    code: int
    message: str | None = None
    error_type: str | None = None
    error_code: str | None = None
    retry_after: float | None = None  # `Retry-After` header (seconds) when set
    retry_after_ms: int | None = None  # `retry-after-ms` header when set (SDK prefers it)


@dataclass(frozen=True)
class Delay:
    """Sleep (e.g. past the client's timeout), then answer with `then`."""

    seconds: float
    then: Behaviour


@dataclass(frozen=True)
class Raw:
    """Any HTTP response, verbatim (malformed bodies, odd JSON shapes, other content types)."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


Behaviour = Reply | Status | Delay | Raw


def reply(
    text: str = DEFAULT_TEXT,
    *,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    finish_reason: str = "stop",
    model: str | None = None,
    include_usage: bool = True,
    chunks: list[str] | None = None,
) -> Reply:
    return Reply(
        text,
        prompt_tokens,
        completion_tokens,
        finish_reason,
        model,
        include_usage,
        tuple(chunks) if chunks is not None else None,
    )


def status(
    code: int,
    *,
    message: str | None = None,
    error_type: str | None = None,
    error_code: str | None = None,
    retry_after: float | None = None,
    retry_after_ms: int | None = RETRY_AFTER_MS,
) -> Status:
    """`retry_after_ms` (default 10 ms) is sent only on retryable statuses (408/409/429/5xx);
    pass None to leave it out (then the SDK uses `Retry-After` or its own backoff)."""
    retryable = code in (408, 409, 429) or code >= 500
    return Status(
        code,
        message,
        error_type,
        error_code,
        retry_after,
        retry_after_ms if retryable else None,
    )


def delay(seconds: float, then: Behaviour | None = None) -> Delay:
    return Delay(seconds, then if then is not None else reply())


def malformed(body: str = '{"id": "chatcmpl-broken", "choices": [{"index": 0, "mess') -> Raw:
    """HTTP 200, `Content-Type: application/json`, a body that is not valid JSON."""
    return Raw(body.encode())


def raw(
    body: str | bytes | dict[str, Any] | list[Any],
    *,
    status: int = 200,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Raw:
    data = json.dumps(body).encode() if isinstance(body, dict | list) else body
    data = data.encode() if isinstance(data, str) else data
    return Raw(data, status, content_type, tuple((headers or {}).items()))


# -- recorded requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    json: Any  # the parsed body; None when it is not JSON
    received_at: float = field(default_factory=time.monotonic)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.json.get("messages", [])) if isinstance(self.json, dict) else []

    @property
    def stream(self) -> bool:
        return isinstance(self.json, dict) and bool(self.json.get("stream"))


# -- the server ----------------------------------------------------------------------------------


class FakeOpenAI(ThreadedServer):
    name = "fake OpenAI server"

    """The fake server. `start()`/`stop()` or use as a context manager; `reset()` between tests.

    `api_key`: the key the server accepts (None accepts any, or none). `default`: the behaviour
    used when the queue is empty.
    """

    def __init__(self, *, api_key: str | None = DEFAULT_API_KEY, default: Behaviour | None = None):
        self._initial_api_key = api_key
        self._initial_default = default or reply()
        self.api_key = api_key
        self.default: Behaviour = self._initial_default
        self._lock = threading.Lock()
        self._queue: collections.deque[Behaviour] = collections.deque()
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._stop_delays = threading.Event()
        super().__init__()

    # scripting -----------------------------------------------------------------------------------

    def enqueue(self, *behaviours: Behaviour) -> FakeOpenAI:
        """Queue behaviours, consumed one per request in order."""
        with self._lock:
            self._queue.extend(behaviours)
        return self

    @property
    def pending(self) -> int:
        """How many queued behaviours are not consumed yet."""
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy), oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise AssertionError("the fake OpenAI server has received no request")
            return self._requests[-1]

    def reset(self) -> None:
        """Empty the queue and the records; restore the key and default behaviour."""
        with self._lock:
            self._queue.clear()
            self._requests.clear()
            self.api_key = self._initial_api_key
            self.default = self._initial_default

    # lifecycle -----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout: float = 5.0) -> FakeOpenAI:
        self._stop_delays.clear()
        return super().start(timeout)

    def _stopping(self) -> None:
        self._stop_delays.set()  # cut pending delays short

    # HTTP ----------------------------------------------------------------------------------------

    def _app(self) -> Starlette:
        async def not_found(request: Request, exc: Exception) -> Response:
            await self._record(request)
            code = getattr(exc, "status_code", 404)
            message = f"Unknown request URL: {request.method} {request.url.path}."
            return _error_response(Status(code, message=message, error_code="unknown_url"))

        return Starlette(
            routes=[Route("/v1/chat/completions", self._chat_completions, methods=["POST"])],
            exception_handlers={404: not_found, 405: not_found},
        )

    async def _record(self, request: Request) -> RecordedRequest:
        body = await request.body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        recorded = RecordedRequest(
            method=request.method,
            path=request.url.path,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            json=parsed,
        )
        with self._lock:
            self._requests.append(recorded)
        return recorded

    async def _chat_completions(self, request: Request) -> Response:
        recorded = await self._record(request)
        with self._lock:
            expected_key = self.api_key
        if expected_key is not None:
            given = recorded.headers.get("authorization", "")
            if given != f"Bearer {expected_key}":
                return _error_response(Status(401, message=_wrong_key_message(given)))
        body = recorded.json
        if not isinstance(body, dict) or not body.get("model") or not body.get("messages"):
            message = (
                "We could not parse the JSON body of your request, or it lacks model/messages."
            )
            return _error_response(Status(400, message=message))
        with self._lock:
            behaviour = self._queue.popleft() if self._queue else self.default
        return await self._perform(behaviour, recorded)

    async def _perform(self, behaviour: Behaviour, recorded: RecordedRequest) -> Response:
        if isinstance(behaviour, Delay):
            deadline = time.monotonic() + behaviour.seconds
            while not self._stop_delays.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(min(0.02, max(0.0, deadline - time.monotonic())))
            return await self._perform(behaviour.then, recorded)
        if isinstance(behaviour, Status):
            return _error_response(behaviour)
        if isinstance(behaviour, Raw):
            return Response(
                behaviour.body,
                status_code=behaviour.status,
                media_type=behaviour.content_type,
                headers=dict(behaviour.headers),
            )
        return self._reply(behaviour, recorded)

    def _reply(self, behaviour: Reply, recorded: RecordedRequest) -> Response:
        body: dict[str, Any] = recorded.json
        completion_id = f"chatcmpl-fake{next(self._ids):06d}"
        created = int(time.time())
        model = behaviour.model or str(body["model"])
        prompt_tokens = (
            behaviour.prompt_tokens
            if behaviour.prompt_tokens is not None
            else sum(_word_count(m.get("content")) for m in recorded.messages)
        )
        completion_tokens = (
            behaviour.completion_tokens
            if behaviour.completion_tokens is not None
            else _word_count(behaviour.text)
        )
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        }
        if not recorded.stream:
            completion: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": behaviour.text,
                            "refusal": None,
                        },
                        "logprobs": None,
                        "finish_reason": behaviour.finish_reason,
                    }
                ],
            }
            if behaviour.include_usage:
                completion["usage"] = usage
            return JSONResponse(completion, headers={"x-request-id": f"req_{completion_id}"})

        options = body.get("stream_options") or {}
        send_usage = behaviour.include_usage and bool(options.get("include_usage"))
        deltas = (
            list(behaviour.chunks)
            if behaviour.chunks is not None
            else re.findall(r"\S+\s*|\s+", behaviour.text)
        )

        def chunk(
            delta: dict[str, Any], finish: str | None, choices: bool = True
        ) -> dict[str, Any]:
            data: dict[str, Any] = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]
                if choices
                else [],
            }
            if send_usage:
                data["usage"] = None
            return data

        events: list[dict[str, Any]] = [
            chunk({"role": "assistant", "content": "", "refusal": None}, None)
        ]
        events += [chunk({"content": d}, None) for d in deltas]
        events.append(chunk({}, behaviour.finish_reason))
        if send_usage:
            final = chunk({}, None, choices=False)
            final["usage"] = usage
            events.append(final)

        async def sse() -> AsyncIterator[bytes]:
            for event in events:
                yield f"data: {json.dumps(event)}\n\n".encode()
                await asyncio.sleep(0)
            yield b"data: [DONE]\n\n"

        return StreamingResponse(
            sse(),
            media_type="text/event-stream",
            headers={"x-request-id": f"req_{completion_id}", "cache-control": "no-cache"},
        )


def _error_response(behaviour: Status) -> Response:
    fallback_type = "server_error" if behaviour.code >= 500 else "invalid_request_error"
    message, error_type, error_code = _STATUS_ERRORS.get(
        behaviour.code, ("An error occurred.", fallback_type, None)
    )
    body = {
        "error": {
            "message": behaviour.message if behaviour.message is not None else message,
            "type": behaviour.error_type or error_type,
            "param": None,
            "code": behaviour.error_code or error_code,
        }
    }
    headers: dict[str, str] = {}
    if behaviour.retry_after is not None:
        headers["retry-after"] = f"{behaviour.retry_after:g}"
    if behaviour.retry_after_ms is not None:
        headers["retry-after-ms"] = str(behaviour.retry_after_ms)
    return JSONResponse(body, status_code=behaviour.code, headers=headers)


def _wrong_key_message(authorization: str) -> str:
    """OpenAI's wording, with the key masked as OpenAI masks it (never echoed in full)."""
    key = authorization.removeprefix("Bearer ").strip()
    if not key:
        return (
            "You didn't provide an API key. You need to provide your API key in an Authorization "
            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    masked = f"{key[:3]}{'*' * max(len(key) - 7, 0)}{key[-4:]}" if len(key) > 8 else "*" * len(key)
    return (
        f"Incorrect API key provided: {masked}. You can find your API key at "
        "https://platform.openai.com/account/api-keys."
    )


def _word_count(content: Any) -> int:
    if isinstance(content, str):
        return len(content.split())
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        return sum(_word_count(part.get("text")) for part in content if isinstance(part, dict))
    return 0


def closed_port() -> int:
    """A local port with nothing listening (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
