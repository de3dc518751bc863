"""Local embedding speed: the passages of a book's searchable sections through MiniLM
variants (fp32 or int8 encoder, input order or sorted by length, batch size).

    .venv/bin/python benchmarks/embedding_speed.py                    # all variants, 3 runs
    .venv/bin/python benchmarks/embedding_speed.py --runs 5 --limit 200 --json
    .venv/bin/python benchmarks/embedding_speed.py --variants fp32-in-b32,int8-len-b1
    .venv/bin/python benchmarks/embedding_speed.py cli fp32 eval ingest BOOK.pdf --json

`cli PRECISION ARGS...` runs `learningos ARGS...` with LEARNINGOS_EMBEDDING_PRECISION set to
PRECISION (the same as setting it in the environment): how the int8 and fp32 sides of
`learningos eval ingest` / `eval retrieval` are measured.

A variant is ENCODER-ORDER-bBATCH: ORDER "in" (input order), "len" (longest first, the
order restored afterwards) or "auto" (the product's `_batches`: longest first, at most
BATCH texts and 1,000 characters per call), BATCH texts per encoder call. Encoders:
  fp32     the traced fp32 encoder, unchanged (LocalEmbedder(precision="fp32"))
  int8     the product's default: Linear layers int8 (per-channel weights, 8-bit
           activations) except the 6 feed-forward output projections; frozen graph
  int8ofi  int8 plus torch.jit.optimize_for_inference, as fp32 has it
  int8all  every Linear layer int8, 8-bit activations
  int8rr   torch's stock dynamic Linear: per-channel weights, 7-bit activations
  int8pt   quantize_dynamic(model, {nn.Linear}, dtype=qint8): per-tensor weights, 7-bit

The texts are what `SectionIndex.upsert` embeds: `passages(title, text)` of every
searchable section of the PDF (ThinkStats2 by default: 230 sections, 597 passages).
The machine is shared and noisy, so the variants run interleaved (the order rotates from
one run to the next) and the figures are medians over the runs, wall and CPU seconds.
"fp32-in-b32" is the encoder as it was before this benchmark (fp32, input order, 32 per
batch): speed-ups and the cosine agreement (mean and min over texts of the cosine between a
variant's vector and the fp32-in-b32 one) are against it. "fill" is the share of real
tokens among the padded ones. Query latency is `LocalEmbedder(precision=P).embed([q])` for
every benchmark question, fp32 and int8 alternating, p50 and p95 over all calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
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
ENCODERS = ("fp32", "int8", "int8ofi", "int8all", "int8rr", "int8pt")
ALL_VARIANTS = [
    "fp32-in-b32",
    "fp32-len-b32",
    "fp32-len-b1",
    "int8pt-len-b1",
    "int8rr-len-b1",
    "int8all-len-b1",
    "int8ofi-len-b1",
    "int8-in-b32",
    "int8-len-b4",
    "int8-len-b1",
    "int8-auto-b32",
]


@dataclass(frozen=True)
class Variant:
    label: str
    encoder: str
    order: str
    batch: int

    @classmethod
    def parse(cls, label: str) -> Variant:
        encoder, order, batch = label.split("-")
        if encoder not in ENCODERS or order not in ("in", "len", "auto"):
            raise ValueError(f"bad variant {label!r}: ENCODER-{{in,len,auto}}-bN")
        return cls(label, encoder, order, int(batch.removeprefix("b")))


def book_passages(pdf: Path) -> list[str]:
    from learningos.content.pdf import extract_pdf
    from learningos.content.segment import segment
    from learningos.content.tasks import searchable_sections
    from learningos.retrieval.index import passages

    sections = searchable_sections(segment(extract_pdf(pdf, max_pages=100_000)))
    return [p for s in sections for p in passages(s.title, s.text)]


def build_encoders(names: set[str], threads: int) -> tuple[Any, dict[str, Any], dict[str, float]]:
    """The shared SentenceTransformer and one traced encoder per name, with build seconds."""
    import copy
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    from learningos.retrieval import embeddings as emb

    model, _ = emb._shared_model(threads, "fp32")
    sample = model.preprocess(["a sentence to trace the encoder with"])
    transformer = model[0].auto_model
    encoders: dict[str, Any] = {}
    built: dict[str, float] = {}
    for name in sorted(names):
        started = time.perf_counter()
        if name in emb.LOCAL_NAMES:
            encoders[name] = emb._shared_model(threads, name)[1]
        elif name == "int8ofi":
            encoders[name] = emb._trace_pooled(emb._int8(transformer), sample, optimize=True)
        elif name == "int8all":
            every = emb._int8(transformer, keep_fp32=lambda _: False)
            encoders[name] = emb._trace_pooled(every, sample, optimize=False)
        else:
            spec: Any = (
                {torch.nn.Linear: per_channel_dynamic_qconfig}
                if name == "int8rr"
                else {torch.nn.Linear}
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stock = quantize_dynamic(copy.deepcopy(transformer), spec, dtype=torch.qint8)
            encoders[name] = emb._trace_pooled(stock, sample, optimize=False)
        built[name] = time.perf_counter() - started
    return model, encoders, built


def embed(model: Any, encoder: Any, texts: list[str], v: Variant) -> tuple[list[Any], float]:
    """`LocalEmbedder.embed`'s loop with this variant's encoder, order and batch size.
    Returns the vectors (input order) and the share of real tokens among padded ones."""
    import torch

    from learningos.retrieval.embeddings import _batches

    order = list(range(len(texts)))
    if v.order == "len":
        order.sort(key=lambda i: len(texts[i]), reverse=True)
    if v.order == "auto":
        batches = _batches(texts, v.batch, 1000)
    else:
        batches = [order[start : start + v.batch] for start in range(0, len(order), v.batch)]
    vectors: list[Any] = [None] * len(texts)
    real = padded = 0
    for batch in batches:
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


def run_cli(precision: str, argv: list[str]) -> None:
    """`learningos ARGV...` with LEARNINGOS_EMBEDDING_PRECISION=`precision`."""
    import os

    from learningos import cli
    from learningos.config import get_settings
    from learningos.retrieval import embeddings as emb

    if precision not in emb.LOCAL_NAMES:
        raise SystemExit(f"precision must be one of {sorted(emb.LOCAL_NAMES)}")
    os.environ["LEARNINGOS_EMBEDDING_PRECISION"] = precision
    get_settings.cache_clear()
    sys.argv = ["learningos", *argv]
    cli.main()


def main() -> None:
    if sys.argv[1:2] == ["cli"]:
        if len(sys.argv) < 4:
            raise SystemExit("usage: embedding_speed.py cli PRECISION LEARNINGOS-ARGS...")
        run_cli(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
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
        embed(model, encoder, texts[:4], Variant(name, name, "in", 4))

    seconds: dict[str, list[float]] = {v.label: [] for v in variants}
    cpu: dict[str, list[float]] = {v.label: [] for v in variants}
    vectors: dict[str, list[Any]] = {}
    fill: dict[str, float] = {}
    for run in range(args.runs):
        shift = run % len(variants)
        for v in variants[shift:] + variants[:shift]:
            started, cpu_started = time.perf_counter(), time.process_time()
            vectors[v.label], fill[v.label] = embed(model, encoders[v.encoder], texts, v)
            seconds[v.label].append(time.perf_counter() - started)
            cpu[v.label].append(time.process_time() - cpu_started)
            print(
                f"run {run + 1} {v.label:16} {seconds[v.label][-1]:7.2f} s "
                f"(cpu {cpu[v.label][-1]:.2f} s)",
                flush=True,
            )

    base = statistics.median(seconds[BASELINE])
    base_cpu = statistics.median(cpu[BASELINE])
    rows = []
    for v in variants:
        med = statistics.median(seconds[v.label])
        med_cpu = statistics.median(cpu[v.label])
        mean_cos, min_cos = agreement(vectors[v.label], vectors[BASELINE])
        rows.append(
            {
                "variant": v.label,
                "seconds": round(med, 2),
                "texts_per_s": round(len(texts) / med, 2),
                "speedup": round(base / med, 2),
                "cpu_seconds": round(med_cpu, 2),
                "cpu_speedup": round(base_cpu / med_cpu, 2),
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
        result["query_latency"] = query_latency(
            load_questions(), ["fp32", "int8"], args.query_passes
        )

    print(f"\n{len(texts)} passages, {args.runs} interleaved runs, {args.threads} thread(s)")
    print(
        f"{'variant':16} {'s':>7} {'texts/s':>8} {'speedup':>8} {'cpu s':>7} {'cpu x':>6} "
        f"{'fill':>6} {'mean cos':>9} {'min cos':>8}"
    )
    for r in rows:
        print(
            f"{r['variant']:16} {r['seconds']:7.2f} {r['texts_per_s']:8.2f} {r['speedup']:8.2f} "
            f"{r['cpu_seconds']:7.2f} {r['cpu_speedup']:6.2f} "
            f"{r['token_fill']:6.3f} {r['mean_cos']:9.5f} {r['min_cos']:8.5f}"
        )
    for p, q in result.get("query_latency", {}).items():
        print(f"query embed {p}: p50 {q['p50_ms']} ms, p95 {q['p95_ms']} ms ({q['calls']} calls)")
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
