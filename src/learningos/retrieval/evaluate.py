"""Retrieval quality and latency on a book's question set (`learningos eval retrieval`).

`run_retrieval_eval` indexes the given sections into a throw-away local Qdrant folder and
answers each question with the same search the API uses. A hit is a returned section whose
page span intersects the question's page range (1-based physical pages).

`pdf_heading_sections` is a small stand-in segmenter (numbered headings such as `2.3 Title`
and `Chapter N` lines) used by the benchmarks and tests; the product's segmenter lives in
`learningos.content`.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learningos.config import get_settings
from learningos.kit import jsonl
from learningos.kit.vectors import VectorStore
from learningos.retrieval.embeddings import make_embedder
from learningos.retrieval.index import Hit, IndexedSection, SectionIndex
from learningos.retrieval.lexical import LexicalDoc, LexicalIndex
from learningos.retrieval.search import Method, hybrid_search, query_vectors

_NUMBERED = re.compile(r"^(\d{1,2})\.(\d{1,2}) ([A-Z][^\n]{1,70})$")
_CHAPTER = re.compile(r"^Chapter (\d{1,2})$")
_BACK_MATTER = {"Index", "Bibliography", "Preface", "Contents"}


@dataclass(frozen=True)
class PlainSection:
    """A section as the evaluator needs it (the segmenter's sections fit too)."""

    title: str
    text: str
    page_start: int | None
    page_end: int | None


def pdf_page_texts(pdf_path: Path) -> list[str]:
    """Each page's text, hyphenation marks removed and running heads dropped."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        pages = []
        for page in pdf:
            raw = page.get_textpage().get_text_range()
            lines = raw.replace("\ufffe", "").replace("\r\n", "\n").split("\n")
            if lines and _is_running_head(lines[0]):
                lines = lines[1:]
            pages.append("\n".join(lines))
        return pages
    finally:
        pdf.close()


def _is_running_head(line: str) -> bool:
    even = re.match(r"^(\d+|[ivxlc]+) (Chapter \d+\. |Contents$|Index$)", line)
    odd = re.match(r"^(\d+\.\d+\. |Chapter \d+\. |Contents |Index ).*\S (\d+|[ivxlc]+)$", line)
    return bool(even or odd)


def pdf_heading_sections(pdf_path: Path) -> list[PlainSection]:
    """Split a PDF at numbered headings (`1.2 Title`, `Chapter 3`), one section each."""
    starts: list[tuple[int, int, str]] = []  # (page, line index, title)
    pages = [p.split("\n") for p in pdf_page_texts(pdf_path)]
    chapter, number = 0, 0
    for page_no, lines in enumerate(pages, start=1):
        for i, line in enumerate(lines):
            line = line.strip()
            chap = _CHAPTER.match(line)
            numbered = _NUMBERED.match(line)
            if chap and int(chap.group(1)) == chapter + 1 and i + 1 < len(lines):
                chapter, number = chapter + 1, 0
                starts.append((page_no, i, f"{chapter} {lines[i + 1].strip()}"))
            elif numbered and (int(numbered.group(1)), int(numbered.group(2))) in (
                (chapter, number + 1),
                (0, number + 1),
            ):
                number += 1
                starts.append((page_no, i, line))
            elif line in _BACK_MATTER and i == 0:
                starts.append((page_no, i, line))
    return _cut(pages, starts)


def _cut(pages: list[list[str]], starts: list[tuple[int, int, str]]) -> list[PlainSection]:
    if not starts or starts[0][:2] != (1, 0):
        starts.insert(0, (1, 0, "Front matter"))
    sections = []
    for n, (page, line, title) in enumerate(starts):
        end_page, end_line = (
            starts[n + 1][:2] if n + 1 < len(starts) else (len(pages), len(pages[-1]))
        )
        if (end_page, end_line) == (page, line):
            continue
        parts = []
        for p in range(page, end_page + 1):
            lo = line if p == page else 0
            hi = end_line if p == end_page else len(pages[p - 1])
            parts.extend(pages[p - 1][lo:hi])
        last = end_page if end_line > 0 else end_page - 1
        sections.append(PlainSection(title, "\n".join(parts).strip(), page, max(page, last)))
    return sections


def searchable(sections: Sequence[Any]) -> list[Any]:
    """The sections retrieval indexes: those with text, except a section cut into chunks
    (objects with `parent` and `kind`, as the segmenter makes, are recognised)."""
    chunked = {getattr(s, "parent", None) for s in sections if getattr(s, "kind", None) == "chunk"}
    return [s for i, s in enumerate(sections) if i not in chunked and (s.text or "").strip()]


def load_questions(path: Path) -> list[tuple[str, int, int]]:
    """(question, first page, last page) for each line of a JSONL question file."""
    questions = []
    for _, item in jsonl.records(path):
        first, last = item["pages"]
        questions.append((item["question"], int(first), int(last)))
    return questions


def _rank_of_hit(hits: Sequence[Hit], first: int, last: int) -> int | None:
    for rank, hit in enumerate(hits, start=1):
        start = hit.page_start
        end = hit.page_end if hit.page_end is not None else start
        if start is not None and end is not None and start <= last and end >= first:
            return rank
    return None


def _summary(ranks: list[int | None], latencies: list[float], k: int) -> dict[str, Any]:
    n = len(ranks)
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0

    return {
        "n": n,
        "k": k,
        "recall_at_k": round(sum(r is not None for r in ranks) / n, 4) if n else 0.0,
        "mrr": round(sum(1 / r for r in ranks if r) / n, 4) if n else 0.0,
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
    }


async def _evaluate(
    sections: Sequence[Any],
    questions: list[tuple[str, int, int]],
    k: int,
    methods: Sequence[Method],
    folder: Path,
) -> dict[str, dict[str, Any]]:
    vectors = VectorStore(None, folder / "qdrant")
    index = SectionIndex(
        vectors, make_embedder(None, local_precision=get_settings().embedding_precision)
    )
    content_id = uuid.uuid4()
    items = [
        IndexedSection(uuid.uuid4(), content_id, s.title, s.text, s.page_start, s.page_end)
        for s in searchable(sections)
    ]
    try:
        await index.upsert(items)
        lexical = LexicalIndex(
            [LexicalDoc(i.section_id, i.title, i.text, i.page_start, i.page_end) for i in items]
        )
        await hybrid_search(index, lexical, content_id, "warm up", k)
        results: dict[str, dict[str, Any]] = {}
        for method in methods:
            query_vectors.clear()  # time each question's embedding too
            ranks, latencies = [], []
            for question, first, last in questions:
                started = time.perf_counter()
                hits = await hybrid_search(index, lexical, content_id, question, k, method)
                latencies.append((time.perf_counter() - started) * 1000)
                ranks.append(_rank_of_hit(hits, first, last))
            results[method] = _summary(ranks, latencies, k)
        return results
    finally:
        await vectors.close()


def compare_methods(
    sections: Sequence[Any],
    questions_path: Path,
    k: int = 5,
    methods: Sequence[Method] = ("dense", "lexical", "hybrid"),
) -> dict[str, dict[str, Any]]:
    """Recall@k, MRR and latency per search method, on one temporary index."""
    questions = load_questions(questions_path)
    with tempfile.TemporaryDirectory(prefix="learningos-retrieval-") as folder:
        return asyncio.run(_evaluate(sections, questions, k, methods, Path(folder)))


def run_retrieval_eval(sections: Sequence[Any], questions_path: Path, k: int = 5) -> dict[str, Any]:
    """Index the sections in a temporary local Qdrant folder and answer every question with
    the product's search; returns n, k, recall_at_k, mrr, p50_ms, p95_ms (latency of one
    search, query embedding included). Runs its own event loop: call it from sync code."""
    return compare_methods(sections, questions_path, k, ("hybrid",))["hybrid"]
