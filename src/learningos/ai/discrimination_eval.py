"""Measuring whether an Examiner tells answers apart (`learningos eval discrimination`).

Each item is a learner's explanation of a concept of one document, labelled correct, partial,
contradictory, irrelevant or non-answer. The Examiner sees the concept's title and the
material of its pages (or, in a document without pages, the sections of that title) and the
rest of the document for contrast, as it does in a learning session; the Coach's decision
follows from the confidence. Reported: mean confidence and decisions per label, and the AUC of
correct answers against contradictory and against irrelevant ones.
Blocking and synchronous.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from learningos.ai.inputs import CoachInput, ConceptRef, ExaminerInput, Passage, Thresholds
from learningos.ai.offline.coach import coach
from learningos.ai.schemas import ExaminerOutput
from learningos.kit import jsonl

LABELS = ("correct", "partial", "contradictory", "irrelevant", "non-answer")
DECISIONS = ("proceed", "practice", "review")
CONTRAST_KINDS = ("section",)  # sections used as "the rest of the document"


class SectionLike(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def page_start(self) -> int | None: ...
    @property
    def page_end(self) -> int | None: ...


@dataclass(frozen=True)
class Item:
    concept: str
    pages: tuple[int, int] | None
    answer: str
    label: str


def load_items(path: str | Path) -> list[Item]:
    """Items of a JSONL file, one `{"concept", "pages": [first, last], "answer", "label"}` a
    line (blank lines skipped); ValueError naming the line and what is wrong."""
    return [_item(record, f"{path}:{number}") for number, record in jsonl.records(path)]


def _item(record: Any, where: str) -> Item:
    if not isinstance(record, dict):
        raise ValueError(f"{where}: each line must be a JSON object")
    concept, answer, label = record.get("concept"), record.get("answer"), record.get("label")
    if not isinstance(concept, str) or not concept.strip():
        raise ValueError(f"{where}: 'concept' must be a non-empty string")
    if not isinstance(answer, str):
        raise ValueError(f"{where}: 'answer' must be a string")
    if label not in LABELS:
        raise ValueError(f"{where}: 'label' must be one of {', '.join(LABELS)}")
    pages = record.get("pages")
    if pages is not None:
        valid = (
            isinstance(pages, list)
            and len(pages) == 2
            and all(isinstance(p, int) and not isinstance(p, bool) for p in pages)
            and 1 <= pages[0] <= pages[1]
        )
        if not valid:
            raise ValueError(f"{where}: 'pages' must be [first, last] page numbers")
        pages = (pages[0], pages[1])
    return Item(concept.strip(), pages, answer, str(label))


def _passage(section: SectionLike) -> Passage:
    return Passage(
        text=section.text,
        title=section.title,
        page_start=section.page_start,
        page_end=section.page_end,
    )


def concept_material(sections: Sequence[SectionLike], item: Item) -> list[Passage]:
    """The sections that overlap the item's pages; in a document without page numbers, the
    sections whose title is the concept's. ValueError when nothing matches."""
    if item.pages is not None and any(s.page_start is not None for s in sections):
        first, last = item.pages
        chosen = [
            s
            for s in sections
            if s.page_start is not None
            and s.page_end is not None
            and s.page_start <= last
            and s.page_end >= first
        ]
    else:
        key = item.concept.casefold()
        chosen = [s for s in sections if s.title.strip().casefold() == key]
    if not chosen:
        where = f"pages {item.pages[0]}-{item.pages[1]}" if item.pages else "a section of its title"
        raise ValueError(f"no material found for '{item.concept}' ({where})")
    return [_passage(s) for s in chosen]


def contrast_material(
    sections: Sequence[SectionLike], material: Sequence[Passage]
) -> list[Passage]:
    """The rest of the document, one short passage per section (its title and opening), as
    the other concepts of a learning map would be."""
    own = {(p.title, p.page_start) for p in material}
    others = []
    for s in sections:
        if s.kind not in CONTRAST_KINDS or (s.title, s.page_start) in own or not s.text.strip():
            continue
        others.append(Passage(text=_opening(s.text), title=s.title, page_start=s.page_start))
    return others


def _opening(text: str, limit: int = 400) -> str:
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(". ", 0, limit)
    return flat[: cut + 1] if cut > limit // 3 else flat[:limit]


def to_input(item: Item, sections: Sequence[SectionLike]) -> ExaminerInput:
    material = concept_material(sections, item)
    return ExaminerInput(
        concept=ConceptRef(title=item.concept),
        passages=material,
        answer=item.answer,
        question=f"Explain {item.concept} in your own words.",
        others=contrast_material(sections, material),
    )


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    """Probability that a positive scores above a negative (ties count half); None when a
    side is empty."""
    if not positives or not negatives:
        return None
    wins = 0.0
    for p in positives:
        for n in negatives:
            wins += 1.0 if p > n else 0.5 if p == n else 0.0
    return round(wins / (len(positives) * len(negatives)), 4)


def run(
    items: Sequence[Item],
    sections: Sequence[SectionLike],
    examine: Callable[[ExaminerInput], ExaminerOutput],
    thresholds: Thresholds,
) -> dict[str, Any]:
    """Examine every item and summarise; `items` in the result are in input order."""
    results = []
    for item in items:
        inp = to_input(item, sections)
        output = examine(inp)
        decision = coach(CoachInput(inp.concept, inp.passages, output), thresholds).decision
        results.append({"label": item.label, "confidence": output.confidence, "decision": decision})
    return summarise(results)


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    by_label = {label: [r for r in results if r["label"] == label] for label in LABELS}
    mean = {
        label: round(sum(r["confidence"] for r in rows) / len(rows), 4)
        for label, rows in by_label.items()
        if rows
    }
    decisions = {
        label: {d: sum(r["decision"] == d for r in rows) for d in DECISIONS}
        for label, rows in by_label.items()
        if rows
    }

    def scores(label: str) -> list[float]:
        return [r["confidence"] for r in by_label[label]]

    return {
        "n": len(results),
        "mean_confidence": mean,
        "decisions": decisions,
        "auc_correct_vs_contradictory": auc(scores("correct"), scores("contradictory")),
        "auc_correct_vs_irrelevant": auc(scores("correct"), scores("irrelevant")),
        "items": results,
    }


def report_rows(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """The summary as printable rows (the per-item list is left to --json)."""
    rows: list[tuple[str, Any]] = [("n", result["n"])]
    for label, value in result["mean_confidence"].items():
        counts = result["decisions"][label]
        shown = ", ".join(f"{d} {counts[d]}" for d in DECISIONS)
        rows.append((f"{label}", f"mean confidence {value:.3f}; {shown}"))
    rows.append(("auc_correct_vs_contradictory", result["auc_correct_vs_contradictory"]))
    rows.append(("auc_correct_vs_irrelevant", result["auc_correct_vs_irrelevant"]))
    return rows
