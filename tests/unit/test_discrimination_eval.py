"""The discrimination eval's parts: reading labelled answers, picking a concept's material,
the AUC."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from learningos.ai import discrimination_eval as de


@dataclass
class Sec:
    title: str
    text: str
    page_start: int | None
    page_end: int | None
    kind: str = "section"


def test_auc_counts_wins_and_half_ties() -> None:
    assert de.auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert de.auc([0.1], [0.9]) == 0.0
    assert de.auc([0.5, 0.9], [0.5]) == 0.75
    assert de.auc([], [0.3]) is None


def test_load_items_checks_each_field(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(
        '{"concept": "CDFs", "pages": [63, 64], "answer": "maps x", "label": "partial"}\n\n',
        encoding="utf-8",
    )
    assert de.load_items(path) == [de.Item("CDFs", (63, 64), "maps x", "partial")]
    for line, message in [
        ('{"concept": "", "answer": "a", "label": "correct"}', "concept"),
        ('{"concept": "c", "answer": 3, "label": "correct"}', "answer"),
        ('{"concept": "c", "answer": "a", "label": "wrong"}', "label"),
        ('{"concept": "c", "pages": [5, 2], "answer": "a", "label": "correct"}', "pages"),
        ("[1, 2]", "object"),
        ("{oops", "not JSON"),
    ]:
        path.write_text(line + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=message):
            de.load_items(path)


def test_material_is_the_overlapping_pages_and_contrast_the_rest() -> None:
    sections = [
        Sec("1 Intro", "Intro text. More.", 1, 2),
        Sec("2 CDFs", "The CDF maps a value to its percentile rank.", 3, 4),
        Sec("2.1 Exercises", "Do this.", 4, 4, kind="exercises"),
        Sec("3 Tests", "A p-value is a probability.", 5, 6),
    ]
    item = de.Item("CDFs", (3, 3), "x", "correct")
    material = de.concept_material(sections, item)
    assert [p.title for p in material] == ["2 CDFs"]
    assert [p.title for p in de.contrast_material(sections, material)] == ["1 Intro", "3 Tests"]
    with pytest.raises(ValueError, match="no material"):
        de.concept_material(sections, de.Item("CDFs", (9, 9), "x", "correct"))


def test_without_pages_the_material_is_the_section_of_that_title() -> None:
    sections = [Sec("Sleep", "Sleep helps.", None, None), Sec("Spacing", "Spread it.", None, None)]
    material = de.concept_material(sections, de.Item("sleep", None, "x", "correct"))
    assert [p.text for p in material] == ["Sleep helps."]
