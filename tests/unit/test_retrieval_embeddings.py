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
    LOCAL_INT8_NAME,
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
    assert make_embedder(None).name == LOCAL_INT8_NAME
    assert make_embedder("").name == LOCAL_INT8_NAME
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
    assert cos(vectors[0], vectors[1]) > cos(vectors[0], vectors[2]) + 0.2
    assert embedder.embed([]) == []


TEXTS = [
    "short",
    "Kaplan-Meier estimation of survival curves",
    "The variance is the mean squared deviation from the mean.",
    " ".join(["word"] * 400),  # past the 256-token limit: truncated like `encode` does
]


def cos(a: list[float], b: list[float]) -> float:
    return sum(x * float(y) for x, y in zip(a, b, strict=True))


def test_local_embedder_names_each_precision() -> None:
    assert LocalEmbedder().name == LOCAL_INT8_NAME
    assert LocalEmbedder(precision="int8").name == LOCAL_INT8_NAME
    assert LocalEmbedder(precision="fp32").name == LOCAL_NAME
    with pytest.raises(ValueError):
        LocalEmbedder(precision="fp16")


def test_the_precision_setting_chooses_the_index_embedder(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from learningos.config import Settings
    from learningos.kit.vectors import VectorStore
    from learningos.services import build_index

    for precision, name in (("int8", LOCAL_INT8_NAME), ("fp32", LOCAL_NAME)):
        settings = Settings(
            data_dir=tmp_path, embedding_precision=precision, embedding_provider="local"
        )
        vectors = VectorStore(None, tmp_path / "qdrant")  # opened lazily: nothing starts here
        assert build_index(settings, vectors).embedder.name == name


def test_fp32_local_embedder_gives_the_sentence_transformers_vectors() -> None:
    from learningos.retrieval.embeddings import _shared_model

    model, _ = _shared_model(1, "fp32")
    expected = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    got = LocalEmbedder(batch_size=2, precision="fp32").embed(TEXTS)
    for vector, want in zip(got, expected, strict=True):
        assert vector == pytest.approx(want.tolist(), abs=1e-5)


def test_int8_local_embedder_stays_close_to_the_sentence_transformers_vectors() -> None:
    """int8 matrix products cannot match fp32 to 1e-5, so the bound is on the cosine: on a
    book's 597 passages the mean is 0.995 and the lowest 0.984
    (benchmarks/embedding_speed.py). Here the lowest is 0.990."""
    from learningos.retrieval.embeddings import _shared_model

    model, _ = _shared_model(1, "fp32")
    expected = model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True)
    got = LocalEmbedder(batch_size=2).embed(TEXTS)
    for vector, want in zip(got, expected, strict=True):
        assert sum(x * x for x in vector) == pytest.approx(1.0, abs=1e-4)
        assert cos(vector, want.tolist()) > 0.98


@pytest.mark.parametrize("precision", ["int8", "fp32"])
def test_local_embedder_keeps_input_order_whatever_the_batching(precision: str) -> None:
    """Texts are embedded longest first and put back in input order. The four texts are far
    apart (pairwise cosine <= 0.12), so a cosine > 0.95 with the text's own vector proves the
    order. Batching is not quite neutral in int8: activations are quantized per call, so a
    short text sharing a call moves a little (cosine 0.983 for "short" padded beside the
    400-word text); in fp32 it moves by float noise only."""
    single = [LocalEmbedder(precision=precision).embed([t])[0] for t in TEXTS]
    for batch_size in (1, 3, 32):  # with the default 1,000-character budget per call
        got = LocalEmbedder(batch_size=batch_size, precision=precision).embed(TEXTS)
        for vector, alone in zip(got, single, strict=True):
            assert cos(vector, alone) > (0.95 if precision == "int8" else 0.9999)
    one_per_call = LocalEmbedder(batch_size=1, precision=precision).embed(TEXTS)
    assert one_per_call == single  # exact: nothing shares a call


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
