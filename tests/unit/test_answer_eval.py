"""The answers evaluation's question file and its hit rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from learningos.learning.answer_eval import is_hit, load_questions


def test_a_phrase_counts_only_within_the_first_80_words() -> None:
    answer = " ".join(["word"] * 79 + ["Immutable", "later"])
    assert is_hit(answer, ["immutable"])
    assert not is_hit(" ".join(["word"] * 80 + ["immutable"]), ["immutable"])


def test_phrases_match_across_line_breaks_and_any_of_them_counts() -> None:
    assert is_hit("The  standard\ndeviation is…", ["standard deviation"])
    assert not is_hit("They are mutable.", ["immutable"])
    assert is_hit("the mean, or average", ["median", "MEAN"])


def test_questions_load_and_bad_lines_are_named(tmp_path: Path) -> None:
    good = tmp_path / "good.jsonl"
    good.write_text('{"question": " Q? ", "expect": ["a", "b c"]}\n\n', "utf-8")
    [question] = load_questions(good)
    assert question.question == "Q?" and question.expect == ["a", "b c"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Q?", "expect": ["a"]}\n{"question": "R?"}\n', "utf-8")
    with pytest.raises(ValueError, match="line 2 needs"):
        load_questions(bad)
    bad.write_text("not json\n", "utf-8")
    with pytest.raises(ValueError, match="line 1 is not JSON"):
        load_questions(bad)
