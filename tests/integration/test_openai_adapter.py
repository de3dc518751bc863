"""The OpenAI-compatible provider, end to end: the real adapter and the real `openai` SDK over
HTTP against the local fake server (tests/fakes/openai_server.py)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from learningos.ai.providers.openai_compat import OpenAICompatProvider
from learningos.ai.types import ChatRequest, ChatResult, ProviderError
from tests.fakes.fixtures import fake_openai  # noqa: F401
from tests.fakes.openai_server import (
    DEFAULT_API_KEY,
    FakeOpenAI,
    closed_port,
    delay,
    malformed,
    raw,
    reply,
    status,
)

MESSAGES = [
    {"role": "system", "content": "You are a patient tutor."},
    {"role": "user", "content": "Explain photosynthesis in one sentence."},
]
SECRET = "sk-live-0123456789abcdefSECRET"


def chat(**kwargs: object) -> ChatRequest:
    return ChatRequest(messages=MESSAGES, model="gpt-test", **kwargs)  # type: ignore[arg-type]


@pytest.fixture
async def make_provider(fake_openai: FakeOpenAI) -> AsyncIterator:  # noqa: F811
    providers: list[OpenAICompatProvider] = []

    def make(**kwargs: object) -> OpenAICompatProvider:
        options: dict = {
            "base_url": fake_openai.base_url,
            "api_key": DEFAULT_API_KEY,
            "timeout": 5.0,
            "max_retries": 2,
        }
        options.update(kwargs)
        provider = OpenAICompatProvider("openai", **options)
        providers.append(provider)
        return provider

    yield make
    for provider in providers:
        await provider.aclose()


async def collect(provider: OpenAICompatProvider, request: ChatRequest) -> list[str | ChatResult]:
    return [item async for item in provider.stream(request)]


async def test_reply_with_usage(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(reply("Plants turn light into sugar.", prompt_tokens=21, model="gpt-x-01"))
    result = await make_provider().complete(chat(temperature=0.1, max_tokens=50))

    assert result.text == "Plants turn light into sugar."
    assert result.model == "gpt-x-01"
    assert (result.tokens_in, result.tokens_out) == (21, 5)
    assert result.finish_reason == "stop"
    sent = fake_openai.last_request
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["authorization"] == f"Bearer {DEFAULT_API_KEY}"
    assert sent.json["model"] == "gpt-test"
    assert sent.json["messages"] == MESSAGES
    assert sent.json["temperature"] == 0.1
    assert sent.json["max_tokens"] == 50
    assert "response_format" not in sent.json
    assert not sent.stream


async def test_default_token_counts_are_word_counts(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    result = await make_provider().complete(chat())  # the default behaviour
    assert result.text == "Hello from the fake OpenAI server."
    assert result.tokens_in == 5 + 5  # words of the system and user messages
    assert result.tokens_out == 6


async def test_json_mode_sends_response_format(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(reply('{"answer": 42}'))
    result = await make_provider().complete(chat(json_mode=True))
    assert result.text == '{"answer": 42}'
    assert fake_openai.last_request.json["response_format"] == {"type": "json_object"}
    assert "max_tokens" not in fake_openai.last_request.json


async def test_stream_yields_deltas_then_result(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(reply("Light becomes sugar.", completion_tokens=7))
    items = await collect(make_provider(), chat())

    *deltas, final = items
    assert deltas == ["Light ", "becomes ", "sugar."]
    assert isinstance(final, ChatResult)
    assert final.text == "Light becomes sugar."
    assert (final.tokens_in, final.tokens_out) == (10, 7)
    assert final.model == "gpt-test"
    assert final.finish_reason == "stop"
    assert "usage_missing" not in final.extra
    sent = fake_openai.last_request
    assert sent.json["stream"] is True
    assert sent.json["stream_options"] == {"include_usage": True}


async def test_stream_abandoned_early(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    provider = make_provider()
    fake_openai.enqueue(reply("one two three four"))
    stream = provider.stream(chat())
    assert await anext(stream) == "one "
    await stream.aclose()  # closes the HTTP response; the client stays usable
    assert (await provider.complete(chat())).text == "Hello from the fake OpenAI server."


async def test_stream_without_usage(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(reply("No usage here", include_usage=False, chunks=["No usage", " here"]))
    *deltas, final = await collect(make_provider(), chat())
    assert deltas == ["No usage", " here"]
    assert isinstance(final, ChatResult)
    assert (final.text, final.tokens_in, final.tokens_out) == ("No usage here", 0, 0)
    assert final.extra["usage_missing"] is True


async def test_stream_error_before_first_delta(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(status(503))
    with pytest.raises(ProviderError) as caught:
        await collect(make_provider(max_retries=0), chat())
    assert caught.value.reason == "server_error"


async def test_stream_of_nothing_is_empty(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(reply(""))
    with pytest.raises(ProviderError) as caught:
        await collect(make_provider(), chat())
    assert caught.value.reason == "empty"


async def test_rate_limit_then_success_is_retried(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(status(429, retry_after=0), reply("after the wait"))
    result = await make_provider().complete(chat())
    assert result.text == "after the wait"
    assert len(fake_openai.requests) == 2
    assert [r.headers["x-stainless-retry-count"] for r in fake_openai.requests] == ["0", "1"]


async def test_persistent_rate_limit(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(status(429), status(429))
    with pytest.raises(ProviderError) as caught:
        await make_provider(max_retries=1).complete(chat())
    assert caught.value.reason == "rate_limited"
    assert "rate_limit_exceeded" in caught.value.message
    assert len(fake_openai.requests) == 2


async def test_server_errors_then_success(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(status(500), status(500), reply("third time lucky"))
    result = await make_provider(max_retries=2).complete(chat())
    assert result.text == "third time lucky"
    assert len(fake_openai.requests) == 3


async def test_persistent_server_error(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(*[status(500)] * 3, reply("too late"))
    with pytest.raises(ProviderError) as caught:
        await make_provider(max_retries=2).complete(chat())
    assert caught.value.reason == "server_error"
    assert caught.value.provider == "openai"
    assert "HTTP 500" in caught.value.message
    assert len(fake_openai.requests) == 1 + 2
    assert fake_openai.pending == 1


async def test_timeout(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(delay(2.0))
    started = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        await make_provider(timeout=0.3, max_retries=0).complete(chat())
    assert caught.value.reason == "timeout"
    assert time.monotonic() - started < 1.5  # gave up long before the (late) reply
    assert len(fake_openai.requests) == 1


async def test_stream_timeout(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(delay(1.0))
    with pytest.raises(ProviderError) as caught:
        await collect(make_provider(timeout=0.3, max_retries=0), chat())
    assert caught.value.reason == "timeout"


async def test_malformed_body(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(malformed())
    with pytest.raises(ProviderError) as caught:
        await make_provider().complete(chat())
    assert caught.value.reason == "malformed"
    assert len(fake_openai.requests) == 1  # a 200 is not retried


async def test_non_json_body(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(raw("<html>gateway says hi</html>", content_type="text/html"))
    with pytest.raises(ProviderError) as caught:
        await make_provider().complete(chat())
    assert caught.value.reason == "malformed"


async def test_malformed_stream_event(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(raw("data: {not json\n\n", content_type="text/event-stream"))
    with pytest.raises(ProviderError) as caught:
        await collect(make_provider(), chat())
    assert caught.value.reason == "malformed"


async def test_no_choices_is_empty(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(
        raw({"id": "x", "object": "chat.completion", "created": 1, "model": "m", "choices": []}),
        reply("   "),
    )
    provider = make_provider()
    for _ in range(2):
        with pytest.raises(ProviderError) as caught:
            await provider.complete(chat())
        assert caught.value.reason == "empty"


async def test_wrong_key_is_auth_without_retries(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    with pytest.raises(ProviderError) as caught:
        await make_provider(api_key=SECRET, max_retries=2).complete(chat())
    error = caught.value
    assert error.reason == "auth"
    assert "HTTP 401" in error.message
    assert len(fake_openai.requests) == 1
    assert SECRET not in str(error)
    assert SECRET not in repr(error.args)


async def test_bad_request_is_not_retried(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.enqueue(status(400, message="'messages' is too long"), status(404))
    provider = make_provider()
    for expected in ("too long", "model_not_found"):
        with pytest.raises(ProviderError) as caught:
            await provider.complete(chat())
        assert caught.value.reason == "bad_request"
        assert expected in caught.value.message
    assert len(fake_openai.requests) == 2


async def test_key_echoed_by_the_server_is_redacted(fake_openai: FakeOpenAI, make_provider) -> None:  # noqa: F811
    fake_openai.api_key = SECRET
    fake_openai.enqueue(status(400, message=f"key {SECRET} may not use this model"))
    with pytest.raises(ProviderError) as caught:
        await make_provider(api_key=SECRET).complete(chat())
    assert caught.value.reason == "bad_request"
    assert SECRET not in str(caught.value)
    assert "key *** may not" in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_connection_refused() -> None:
    provider = OpenAICompatProvider(
        "local", base_url=f"http://127.0.0.1:{closed_port()}/v1", api_key=SECRET, max_retries=0
    )
    try:
        with pytest.raises(ProviderError) as caught:
            await provider.complete(chat())
        assert caught.value.reason == "connection"
        assert caught.value.provider == "local"
        assert SECRET not in str(caught.value)
        with pytest.raises(ProviderError) as caught:
            await collect(provider, chat())
        assert caught.value.reason == "connection"
    finally:
        await provider.aclose()


async def test_client_is_lazy_and_reopens(fake_openai: FakeOpenAI) -> None:  # noqa: F811
    provider = OpenAICompatProvider(
        "openai", base_url=fake_openai.base_url, api_key=DEFAULT_API_KEY
    )
    assert provider._client is None  # nothing built (and no I/O) at construction
    assert SECRET not in repr(OpenAICompatProvider("x", base_url=None, api_key=SECRET))
    assert (await provider.complete(chat())).text
    await provider.aclose()
    assert provider._client is None
    assert (await provider.complete(chat())).text  # a fresh client after aclose
    await provider.aclose()
    await provider.aclose()  # idempotent
    assert len(fake_openai.requests) == 2
