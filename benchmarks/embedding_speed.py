"""Local embedding speed: the passages of a book's searchable sections through MiniLM
variants (fp32 or int8 encoder, input order or sorted by length, batch size).

    .venv/bin/python benchmarks/embedding_speed.py                    # all variants, 3 runs
    .venv/bin/python benchmarks/embedding_speed.py --runs 5 --limit 200 --json
    .venv/bin/python benchmarks/embedding_speed.py --variants fp32-in-b32,int8-len-b16

The texts are what `SectionIndex.upsert` embeds: `passages(title, text)` of every
searchable section of the PDF (ThinkStats2 by default: 230 sections, 597 passages).
The machine is shared and noisy, so the variants run interleaved (the order rotates from
one run to the next) and the figures are medians over the runs. "fp32-in-b32" is the
encoder as it was before int8 (texts in input order, 32 per batch): the speed-up and the
cosine agreement (mean and min cosine of each text's vector with its fp32-in-b32 vector)
are against it. Query latency is `LocalEmbedder.embed([question])` for every benchmark
question, fp32 and int8 alternating, median and p95 over all calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PDF = ROOT.parent / "shared" / "eval" / "books" / "thinkstats2.pdf"
QUESTIONS = [
    ROOT / "benchmarks" / "questions" / "thinkstats2.jsonl",
    ROOT / "benchmarks" / "retrieval_dev_questions.jsonl",
]
BASELINE = "fp32-in-b32"
# encoder: fp32 | int8 (per-channel weights, the product's) | int8pt (per-tensor weights)
ALL_VARIANTS = [
    "fp32-in-b32",
    "fp32-len-b32",
    "fp32-len-b16",
    "int8pt-len-b16",
    "int8-in-b32",
    "int8-len-b32",
    "int8-len-b16",
    "int8-len-b8",
]


@dataclass(frozen=True)
class Variant:
    label: str
    encoder: str
    sort: bool
    batch: int

    @classmethod
    def parse(cls, label: str) -> Variant:
        encoder, order, batch = label.split("-")
        if encoder not in ("fp32", "int8", "int8pt") or order not in ("in", "len"):
            raise ValueError(f"bad variant {label!r}: ENCODER-{{in,len}}-bN")
        return cls(label, encoder, order == "len", int(batch.removeprefix("b")))


def book_passages(pdf: Path) -> list[str]:
    from learningos.content.pdf import extract_pdf
    from learningos.content.segment import segment
    from learningos.content.tasks import searchable_sections
    from learningos.retrieval.index import passages

    sections = searchable_sections(segment(extract_pdf(pdf, max_pages=100_000)))
    return [p for s in sections for p in passages(s.title, s.text)]


def build_encoders(names: set[str], threads: int) -> tuple[Any, dict[str, Any], dict[str, float]]:
    """The shared SentenceTransformer and one traced encoder per name, with build seconds."""
    from learningos.retrieval import embeddings

    model, _ = embeddings._shared_model(threads, "fp32")
    encoders: dict[str, Any] = {}
    built: dict[str, float] = {}
    for name in sorted(names):
        started = time.perf_counter()
        if name in embeddings.PRECISIONS:
            encoders[name] = embeddings._shared_model(threads, name)[1]
        else:  # int8 with one scale per weight matrix, for comparison
            import copy
            import warnings

            import torch
            from torch.ao.quantization import quantize_dynamic

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                transformer = quantize_dynamic(
                    copy.deepcopy(model[0].auto_model), {torch.nn.Linear}, dtype=torch.qint8
                )
            sample = model.preprocess(["a sentence to trace the encoder with"])
            encoders[name] = embeddings._trace_pooled(transformer, sample)
        built[name] = time.perf_counter() - started
    return model, encoders, built


def embed(model: Any, encoder: Any, texts: list[str], v: Variant) -> tuple[list[Any], float]:
    """`LocalEmbedder.embed`'s loop with this variant's encoder, order and batch size.
    Returns the vectors (input order) and the share of real tokens among padded ones."""
    import torch

    order = list(range(len(texts)))
    if v.sort:
        order.sort(key=lambda i: len(texts[i]), reverse=True)
    vectors: list[Any] = [None] * len(texts)
    real = padded = 0
    for start in range(0, len(order), v.batch):
        batch = order[start : start + v.batch]
        features = model.preprocess([texts[i] for i in batch])
        mask = features["attention_mask"]
        real += int(mask.sum())
        padded += mask.numel()
        with torch.inference_mode():
            out = encoder(features["input_ids"], mask)
        for i, row in zip(batch, out, strict=True):
            vectors[i] = row
    return vectors, real / padded


def agreement(got: list[Any], want: list[Any]) -> tuple[float, float]:
    import torch

    cos = (torch.stack(got) * torch.stack(want)).sum(1).tolist()
    return statistics.fmean(cos), min(cos)


def query_latency(questions: list[str], precisions: list[str], passes: int) -> dict[str, Any]:
    """Single-question `LocalEmbedder.embed` latency per precision, interleaved."""
    from learningos.retrieval.embeddings import LocalEmbedder

    embedders = {p: LocalEmbedder(precision=p) for p in precisions}
    for e in embedders.values():
        e.embed(["warm up"])
    times: dict[str, list[float]] = {p: [] for p in precisions}
    for n in range(passes):
        for q in questions:
            for p in precisions if n % 2 == 0 else precisions[::-1]:
                started = time.perf_counter()
                embedders[p].embed([q])
                times[p].append((time.perf_counter() - started) * 1000)
    out = {}
    for p, values in times.items():
        ordered = sorted(values)
        out[p] = {
            "calls": len(values),
            "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
        }
    return out


def load_questions() -> list[str]:
    return [
        json.loads(line)["question"]
        for path in QUESTIONS
        for line in path.read_text().splitlines()
        if line.strip()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs (default 3)")
    parser.add_argument("--limit", type=int, help="embed only N passages, evenly spaced")
    parser.add_argument("--variants", default=",".join(ALL_VARIANTS), help="comma-separated")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--query-passes", type=int, default=3, help="0 skips query latency")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    args = parser.parse_args()

    variants = [Variant.parse(label) for label in args.variants.split(",")]
    if BASELINE not in [v.label for v in variants]:
        variants.insert(0, Variant.parse(BASELINE))
    texts = book_passages(args.pdf)
    if args.limit and args.limit < len(texts):
        step = len(texts) / args.limit
        texts = [texts[int(i * step)] for i in range(args.limit)]
    model, encoders, built = build_encoders({v.encoder for v in variants}, args.threads)
    for name, encoder in encoders.items():  # warm up each graph (profiling runs)
        embed(model, encoder, texts[:4], Variant(name, name, False, 4))

    seconds: dict[str, list[float]] = {v.label: [] for v in variants}
    vectors: dict[str, list[Any]] = {}
    fill: dict[str, float] = {}
    for run in range(args.runs):
        shift = run % len(variants)
        for v in variants[shift:] + variants[:shift]:
            work: Callable[[], tuple[list[Any], float]] = lambda v=v: embed(  # noqa: E731
                model, encoders[v.encoder], texts, v
            )
            started = time.perf_counter()
            vectors[v.label], fill[v.label] = work()
            seconds[v.label].append(time.perf_counter() - started)
            print(f"run {run + 1} {v.label:16} {seconds[v.label][-1]:7.2f} s", flush=True)

    base = statistics.median(seconds[BASELINE])
    rows = []
    for v in variants:
        med = statistics.median(seconds[v.label])
        mean_cos, min_cos = agreement(vectors[v.label], vectors[BASELINE])
        rows.append(
            {
                "variant": v.label,
                "seconds": round(med, 2),
                "texts_per_s": round(len(texts) / med, 2),
                "speedup": round(base / med, 2),
                "token_fill": round(fill[v.label], 3),
                "mean_cos": round(mean_cos, 5),
                "min_cos": round(min_cos, 5),
                "runs_s": [round(s, 2) for s in seconds[v.label]],
            }
        )
    result: dict[str, Any] = {
        "texts": len(texts),
        "runs": args.runs,
        "threads": args.threads,
        "encoder_build_s": {k: round(s, 2) for k, s in built.items()},
        "variants": rows,
    }
    if args.query_passes:
        precisions = [p for p in ("fp32", "int8") if p in encoders] or ["fp32"]
        result["query_latency"] = query_latency(load_questions(), precisions, args.query_passes)

    print(f"\n{len(texts)} passages, {args.runs} interleaved runs, {args.threads} thread(s)")
    print(f"{'variant':16} {'s':>7} {'texts/s':>8} {'speedup':>8} {'fill':>6} {'mean cos':>9} "
          f"{'min cos':>8}")
    for r in rows:
        print(
            f"{r['variant']:16} {r['seconds']:7.2f} {r['texts_per_s']:8.2f} {r['speedup']:8.2f} "
            f"{r['token_fill']:6.3f} {r['mean_cos']:9.5f} {r['min_cos']:8.5f}"
        )
    for p, q in result.get("query_latency", {}).items():
        print(f"query embed {p}: p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms ({q['calls']} calls)")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
