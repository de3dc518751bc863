"""`learningos eval discrimination`: the Examiner on labelled answers to a shipped text (the
demo course), through the real command, model and segmenter."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli import run

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "src" / "learningos" / "demo" / "course.md"
ANSWERS = ROOT / "benchmarks" / "answers" / "demo_course_discrimination.jsonl"


def test_reports_confidence_and_decisions_per_label_and_items_in_order(tmp_path: Path) -> None:
    result = run(["eval", "discrimination", str(COURSE), str(ANSWERS), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    labels = [json.loads(line)["label"] for line in ANSWERS.read_text("utf-8").splitlines()]
    assert [i["label"] for i in figures["items"]] == labels
    assert set(figures["mean_confidence"]) == {
        "correct", "partial", "contradictory", "irrelevant", "non-answer"
    }  # fmt: skip
    for item in figures["items"]:
        assert 0.0 <= item["confidence"] <= 1.0
        assert item["decision"] in {"proceed", "practice", "review"}
    assert 0.0 <= figures["auc_correct_vs_contradictory"] <= 1.0
    assert "auc_correct_vs_irrelevant" in result.stdout.splitlines()[-3]


def test_a_bad_line_is_refused_with_its_number(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"concept": "Sleep and consolidation", "pages": null, "answer": "x", "label": "correct"}\n'
        '{"concept": "Sleep", "pages": null, "answer": "x", "label": "great"}\n',
        encoding="utf-8",
    )
    result = run(["eval", "discrimination", str(COURSE), str(bad)], tmp_path)
    assert result.returncode == 2
    assert "bad.jsonl:2" in result.stderr and "label" in result.stderr


def test_a_concept_without_material_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "none.jsonl"
    bad.write_text(
        '{"concept": "Photosynthesis", "pages": null, "answer": "x", "label": "correct"}\n',
        encoding="utf-8",
    )
    result = run(["eval", "discrimination", str(COURSE), str(bad)], tmp_path)
    assert result.returncode == 2
    assert "no material found for 'Photosynthesis'" in " ".join(result.stderr.split())


def test_the_examiner_tells_the_five_kinds_apart_on_the_demo_course(tmp_path: Path) -> None:
    result = run(["eval", "discrimination", str(COURSE), str(ANSWERS), "--json"], tmp_path)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["auc_correct_vs_contradictory"] >= 0.85
    assert figures["auc_correct_vs_irrelevant"] >= 0.95
    for item in figures["items"]:
        if item["label"] in ("irrelevant", "non-answer"):
            assert item["confidence"] <= 0.25 and item["decision"] == "review", item
    decisions = figures["decisions"]
    assert decisions["correct"]["proceed"] >= 0.75 * sum(decisions["correct"].values())
    mean = figures["mean_confidence"]
    assert mean["contradictory"] <= mean["correct"] - 0.3
