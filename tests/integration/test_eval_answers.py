"""`learningos eval answers`: a generated book goes through upload, processing and the
tutor's "ask your material" path; the figures and the answers come back in input order."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.books import python_book
from tests.integration.test_cli import run

QUESTIONS = [
    {"question": "What is the difference between a list and a tuple?", "expect": ["immutable"]},
    {"question": "What does a for loop over a list do?", "expect": ["each value"]},
    {"question": "How do I bake sourdough bread at home?", "expect": ["flour"]},
]


def test_answers_are_measured_through_the_tutor(tmp_path: Path) -> None:
    book = python_book(tmp_path / "book.pdf")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(json.dumps(q) + "\n" for q in QUESTIONS), "utf-8")
    result = run(["eval", "answers", str(book), str(questions), "--json"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["n"] == 3
    assert [i["question"] for i in figures["items"]] == [q["question"] for q in QUESTIONS]
    assert set(figures["items"][0]) == {"question", "answer"}
    assert figures["hits"] == 2 and figures["hit_rate"] == round(2 / 3, 4)
    assert figures["not_covered"] == 1  # the bread question is not in the book
    assert "hit_rate" in result.stdout.splitlines()[0] or "hit_rate" in result.stdout
    assert not (tmp_path / "data" / "learningos.db").exists()  # a throw-away instance


def test_a_bad_question_file_is_refused_with_its_line(tmp_path: Path) -> None:
    book = python_book(tmp_path / "book.pdf")
    questions = tmp_path / "questions.jsonl"
    questions.write_text('{"question": "What is a list?", "expect": "list"}\n', "utf-8")
    result = run(["eval", "answers", str(book), str(questions)], tmp_path / "data")
    assert result.returncode == 2
    assert "line 1 needs" in result.stderr
