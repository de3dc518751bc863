"""Extraction speed: pages per second for extract only, and for extract + clean + segment.

    python benchmarks/ingest_extract.py [PDF] [--runs 5] [--json]

Default PDF: ../shared/eval/books/thinkstats2.pdf (242 pages, no outline). Prints medians
over the runs, with a bare pypdfium2 loop (open, page text, close) measured in the same run
as the baseline, since this machine is shared and noisy. Target: >= 200 pages/s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

from learningos.content.clean import clean_pages
from learningos.content.document import Document, Page
from learningos.content.pdf import extract_pdf, read_pdf
from learningos.content.segment import segment

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PDF = ROOT.parent / "shared" / "eval" / "books" / "thinkstats2.pdf"


def bare_pdfium(path: Path) -> None:
    """The floor: PDFium's own page text, nothing else."""
    pdf = pdfium.PdfDocument(path)
    for index in range(len(pdf)):
        page = pdf[index]
        textpage = page.get_textpage()
        textpage.get_text_bounded()
        textpage.close()
        page.close()
    pdf.close()


def staged(path: Path) -> dict[str, float]:
    """Seconds per stage of one ingestion: read (PDFium), clean, segment."""
    started = time.perf_counter()
    raw = read_pdf(path)
    read_done = time.perf_counter()
    texts = clean_pages(raw.texts)
    clean_done = time.perf_counter()
    pages = [Page(i, t, h) for i, (t, h) in enumerate(zip(texts, raw.hints, strict=True), 1)]
    sections = segment(Document("pdf", pages, raw.outline, raw.title, len(pages)))
    segment_done = time.perf_counter()
    return {
        "read": read_done - started,
        "clean": clean_done - read_done,
        "segment": segment_done - clean_done,
        "sections": float(len(sections)),
    }


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pdf", nargs="?", type=Path, default=DEFAULT_PDF)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    doc = extract_pdf(args.pdf)  # warm-up (imports, regex compilation, file cache)
    pages = doc.page_count
    names = ("bare", "extract", "read", "clean", "segment", "total")
    runs: dict[str, list[float]] = {name: [] for name in names}
    sections = 0
    for _ in range(args.runs):  # interleaved, so load from others hits every variant alike
        runs["bare"].append(timed(lambda: bare_pdfium(args.pdf)))
        runs["extract"].append(timed(lambda: extract_pdf(args.pdf)))
        stages = staged(args.pdf)
        for name in ("read", "clean", "segment"):
            runs[name].append(stages[name])
        runs["total"].append(stages["read"] + stages["clean"] + stages["segment"])
        sections = int(stages["sections"])
    report(args.pdf, pages, sections, runs, as_json=args.json)


def report(
    pdf: Path, pages: int, sections: int, runs: dict[str, list[float]], *, as_json: bool
) -> None:
    """Print medians and best runs; with `as_json`, one JSON object on the last line."""
    median = {name: statistics.median(values) for name, values in runs.items()}
    best = {name: min(values) for name, values in runs.items()}
    rated = ("bare", "extract", "total")
    result = {
        "pdf": str(pdf),
        "pages": pages,
        "sections": sections,
        "runs": len(runs["total"]),
        "seconds": {name: round(value, 3) for name, value in median.items()},
        "best_seconds": {name: round(value, 3) for name, value in best.items()},
        "pages_per_s": {name: round(pages / median[name], 1) for name in rated},
        "best_pages_per_s": {name: round(pages / best[name], 1) for name in rated},
    }
    print(f"{pdf.name}: {pages} pages, {sections} sections, {len(runs['total'])} runs")
    print(f"{'stage':<34}{'median s':>9}{'pages/s':>9}{'best s':>9}{'pages/s':>9}")
    for label, name in (
        ("bare pypdfium2 loop (baseline)", "bare"),
        ("extract_pdf (PDFium + cleaning)", "extract"),
        ("  read (PDFium, heading hints)", "read"),
        ("  clean", "clean"),
        ("  segment", "segment"),
        ("extract + clean + segment", "total"),
    ):
        line = f"{label:<34}{median[name]:9.3f}"
        line += f"{pages / median[name]:9.1f}" if name in rated else " " * 9
        line += f"{best[name]:9.3f}"
        line += f"{pages / best[name]:9.1f}" if name in rated else ""
        print(line)
    if as_json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
