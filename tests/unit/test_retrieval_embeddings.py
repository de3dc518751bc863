"""Embedders: the OpenAI one against a local server speaking OpenAI's wire format, and the
bundled MiniLM model (loaded once per test process, offline)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from learningos.retrieval.embeddings import (
    LOCAL_NAME,
    LocalEmbedder,
    OpenAIEmbedder,
    make_embedder,
)

DIM = 1536


def fake_vector(text: str) -> list[float]:
    seed = hashlib.sha256(text.encode()).digest()
    return [((seed[i % 32] + i) % 17) / 17.0 for i in range(DIM)]


class FakeOpenAI(ThreadingHTTPServer):
    """POST /v1/embeddings like api.openai.com; `failures` answers come first (status codes)."""

    def __init__(self, failures: list[int] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.failures = list(failures or [])
        self.requests: list[dict] = []
        self.auth: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


class Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(body)
        self.server.auth.append(self.headers.get("Authorization", ""))
        if self.path != "/v1/embeddings":
            return self._send(
                404, {"error": {"message": "not found", "type": "invalid_request_error"}}
            )
        if self.server.failures:
            status = self.server.failures.pop(0)
            return self._send(status, {"error": {"message": "try later", "type": "server_error"}})
        inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = []
        for i, text in enumerate(inputs):
            vec = fake_vector(text)
            if body.get("encoding_format") == "base64":
                encoded: object = base64.b64encode(struct.pack(f"<{DIM}f", *vec)).decode()
            else:
                encoded = vec
            data.append({"object": "embedding", "index": i, "embedding": encoded})
        data.reverse()  # the order of `data` is not guaranteed: clients sort by index
        usage = {"prompt_tokens": len(inputs), "total_tokens": len(inputs)}
        self._send(200, {"object": "list", "data": data, "model": body["model"], "usage": usage})

    def _send(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.send_header("retry-after-ms", "5")
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def fake_openai(request: pytest.FixtureRequest) -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(getattr(request, "param", None))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_openai_embedder_batches_and_keeps_input_order(fake_openai: FakeOpenAI) -> None:
    embedder = OpenAIEmbedder("sk-test", fake_openai.base_url, batch_size=4)
    texts = [f"text {i}" for i in range(10)]
    vectors = embedder.embed(texts)
    assert embedder.name == "openai/text-embedding-3-small" and embedder.dimension == DIM
    assert [len(r["input"]) for r in fake_openai.requests] == [4, 4, 2]
    assert all(r["model"] == "text-embedding-3-small" for r in fake_openai.requests)
    assert fake_openai.auth[0] == "Bearer sk-test"
    for text, vector in zip(texts, vectors, strict=True):
        assert vector == pytest.approx(fake_vector(text), abs=1e-6)


@pytest.mark.parametrize("fake_openai", [[429, 500, 503]], indirect=True)
def test_openai_embedder_retries_rate_limits_and_server_errors(fake_openai: FakeOpenAI) -> None:
    vectors = OpenAIEmbedder("sk-test", fake_openai.base_url).embed(["a", "b"])
    assert len(vectors) == 2
    assert len(fake_openai.requests) == 4  # three failures, then the answer


@pytest.mark.parametrize("fake_openai", [[400]], indirect=True)
def test_openai_embedder_does_not_retry_a_bad_request(fake_openai: FakeOpenAI) -> None:
    import openai

    with pytest.raises(openai.BadRequestError):
        OpenAIEmbedder("sk-test", fake_openai.base_url).embed(["a"])
    assert len(fake_openai.requests) == 1


def test_make_embedder_picks_openai_only_with_a_key(fake_openai: FakeOpenAI) -> None:
    assert make_embedder(None).name == LOCAL_NAME
    assert make_embedder("").name == LOCAL_NAME
    assert make_embedder("sk-test", fake_openai.base_url).name.startswith("openai/")


def test_local_embedder_is_offline_normalised_and_meaningful() -> None:
    embedder = LocalEmbedder()
    vectors = embedder.embed(
        [
            "How do I compute the variance?",
            "Variance measures spread around the mean.",
            "Cats purr.",
        ]
    )
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert embedder.dimension == 384 and all(len(v) == 384 for v in vectors)
    assert sum(x * x for x in vectors[0]) == pytest.approx(1.0, abs=1e-4)

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cos(vectors[0], vectors[1]) > cos(vectors[0], vectors[2]) + 0.2
    assert embedder.embed([]) == []


def test_local_embedder_gives_the_sentence_transformers_vectors() -> None:
    from learningos.retrieval.embeddings import _shared_model

    texts = ["short", "Kaplan-Meier estimation of survival curves", " ".join(["word"] * 400)]
    model, _ = _shared_model(1)
    expected = model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    for got, want in zip(LocalEmbedder(batch_size=2).embed(texts), expected, strict=True):
        assert got == pytest.approx(want.tolist(), abs=1e-5)


def test_local_embedder_is_safe_from_several_threads() -> None:
    embedder = LocalEmbedder()
    expected = embedder.embed(["the same sentence"])[0]
    results: list[list[float]] = []

    def run() -> None:
        results.extend(embedder.embed(["the same sentence"] * 3))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    assert all(r == pytest.approx(expected, abs=1e-5) for r in results)
