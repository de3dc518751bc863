"""Offline planner speed: seconds to plan a learning map from a segmented PDF.

    python benchmarks/planner_speed.py [PDF] [--runs 3] [--threads 1] [--json]

Default PDF: ../shared/eval/books/thinkstats2.pdf (242 pages, no outline). The PDF is
extracted and segmented once (not timed); then `plan` runs `--runs` times on the sections a
caller passes (every section except retrieval chunks) with the bundled MiniLM model, loaded
before timing. Prints pages, sections, concepts and the median and best seconds, wall and
CPU, and how much of it is embedding. Budget: 6 s for this book on one torch thread.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from learningos.ai.inputs import PlannerInput, SectionInput
from learningos.ai.offline.planner import plan
from learningos.content.pdf import extract_pdf
from learningos.content.segment import segment
from learningos.retrieval.embeddings import LocalEmbedder

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PDF = ROOT.parent / "shared" / "eval" / "books" / "thinkstats2.pdf"


class TimedEmbedder:
    """The local embedder, counting texts and the seconds spent embedding them."""

    def __init__(self, inner: LocalEmbedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.texts = 0
        self.seconds = 0.0

    def embed(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.inner.embed(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors


def planner_input(pdf: Path) -> tuple[int, PlannerInput]:
    doc = extract_pdf(pdf)
    sections = [
        SectionInput(str(i), s.title, s.text, s.level, s.kind, s.page_start, s.page_end)
        for i, s in enumerate(segment(doc))
        if s.kind != "chunk"
    ]
    return doc.page_count, PlannerInput(doc.title or pdf.stem, sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    pages, inp = planner_input(args.pdf)
    embedder = TimedEmbedder(LocalEmbedder(threads=args.threads))
    embedder.inner.embed(["load the model before timing"])
    wall, cpu, embedding, texts = [], [], [], []
    concepts = milestones = 0
    for _ in range(args.runs):
        embedder.seconds, embedder.texts = 0.0, 0
        started, started_cpu = time.perf_counter(), time.process_time()
        out = plan(inp, embedder)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        embedding.append(embedder.seconds)
        texts.append(embedder.texts)
        concepts, milestones = len(out.concepts), len(out.milestones)

    result = {
        "pdf": str(args.pdf),
        "pages": pages,
        "sections": len(inp.sections),
        "concepts": concepts,
        "milestones": milestones,
        "runs": args.runs,
        "threads": args.threads,
        "seconds": round(statistics.median(wall), 3),
        "best_seconds": round(min(wall), 3),
        "cpu_seconds": round(statistics.median(cpu), 3),
        "embedding_seconds": round(statistics.median(embedding), 3),
        "embedded_texts": texts[-1],
    }
    print(
        f"{args.pdf.name}: {pages} pages, {len(inp.sections)} sections → {concepts} concepts, "
        f"{milestones} milestones"
    )
    print(
        f"plan: median {result['seconds']:.2f} s (best {result['best_seconds']:.2f} s, "
        f"CPU {result['cpu_seconds']:.2f} s) over {args.runs} runs, {args.threads} torch "
        f"thread(s); embedding {result['embedding_seconds']:.2f} s for {texts[-1]} texts"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
