"""The retrieval evaluation (`learningos eval retrieval`) and its stand-in PDF segmenter."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from learningos.retrieval.evaluate import (
    PlainSection,
    load_questions,
    pdf_heading_sections,
    run_retrieval_eval,
    searchable,
)
from tests.evaldata import BOOK, need


def test_heading_sections_follow_the_numbered_headings() -> None:
    sections = pdf_heading_sections(need(BOOK))
    by_title = {s.title: s for s in sections}
    assert 150 <= len(sections) <= 170
    assert (by_title["1.8 Interpretation"].page_start, by_title["1.8 Interpretation"].page_end) == (
        31,
        32,
    )
    assert by_title["14.4 Central limit theorem"].page_start == 223
    assert (
        "condition" in by_title["1.8 Interpretation"].text
        or "process" in by_title["1.8 Interpretation"].text
    )
    assert "\ufffe" not in "".join(s.text for s in sections)


@dataclass
class SegmentedSection:
    title: str
    text: str
    page_start: int | None
    page_end: int | None
    kind: str = "section"
    parent: int | None = None


def test_searchable_replaces_a_chunked_section_by_its_chunks() -> None:
    sections = [
        SegmentedSection("1 Chapter", "intro", 1, 1),
        SegmentedSection("1.1 Long", "long text", 1, 3),
        SegmentedSection("1.1 Long (part 1)", "long", 1, 2, kind="chunk", parent=1),
        SegmentedSection("1.2 Empty", "  ", 3, 3, parent=0),
    ]
    assert [s.title for s in searchable(sections)] == ["1 Chapter", "1.1 Long (part 1)"]


def test_run_retrieval_eval_reports_recall_mrr_and_latency(tmp_path: Path) -> None:
    sections = [
        PlainSection("Histograms", "A histogram counts how often each value occurs.", 10, 11),
        PlainSection(
            "Variance", "Variance is the mean squared deviation; it measures spread.", 12, 12
        ),
        PlainSection(
            "Causation", "Correlation does not imply causation; a third factor may act.", 13, 14
        ),
        PlainSection(
            "Survival",
            "Kaplan-Meier estimation handles people still waiting for the event.",
            15,
            15,
        ),
    ]
    questions = tmp_path / "q.jsonl"
    lines = [
        {"question": "how spread out are values around the mean", "pages": [12, 12]},
        {"question": "if two things move together does one cause the other", "pages": [14, 16]},
        {
            "question": "estimating time until marriage when many are still single",
            "pages": [15, 15],
        },
    ]
    questions.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert load_questions(questions)[1] == (lines[1]["question"], 14, 16)
    result = run_retrieval_eval(sections, questions, k=2)
    assert set(result) >= {"n", "k", "recall_at_k", "mrr", "p50_ms", "p95_ms"}
    assert (result["n"], result["k"]) == (3, 2)
    assert result["recall_at_k"] == 1.0 and result["mrr"] >= 0.8
    assert 0 < result["p50_ms"] <= result["p95_ms"]
