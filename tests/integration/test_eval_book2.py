"""The offline Examiner on a book it was not tuned on (Think Python 2, not redistributable:
set LEARNINGOS_EVAL_BOOK2 or put it at books/thinkpython2.pdf in the evaluation folder; the
tests skip without it, CI included). The held-out answers ship in benchmarks/answers/."""

from __future__ import annotations

from typing import Any

import pytest

from learningos.ai import discrimination_eval
from learningos.ai.inputs import Thresholds
from learningos.ai.offline.examiner import examine
from learningos.content.segment import segment
from learningos.evaluation import _read_document
from learningos.retrieval.embeddings import LocalEmbedder
from tests.evaldata import BOOK2, ROOT, optional

ANSWERS = ROOT / "benchmarks" / "answers" / "thinkpython2_discrimination.jsonl"


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    book = optional(BOOK2, "the second evaluation book (thinkpython2.pdf)")
    items = discrimination_eval.load_items(ANSWERS)
    sections = [s for s in segment(_read_document(book)) if s.kind != "chunk"]
    embedder = LocalEmbedder(threads=1)
    return discrimination_eval.run(
        items, sections, lambda inp: examine(inp, embedder), Thresholds(0.75, 0.5)
    )


def test_the_held_out_set_has_twenty_concepts_of_each_kind() -> None:
    items = discrimination_eval.load_items(ANSWERS)
    for label in discrimination_eval.LABELS:
        assert len({i.concept for i in items if i.label == label}) >= 20, label


def _kept_out(figures: dict[str, Any], label: str) -> int:
    return sum(
        i["confidence"] <= 0.25 and i["decision"] == "review"
        for i in figures["items"]
        if i["label"] == label
    )


def test_non_answers_and_irrelevant_ones_are_sent_to_review(figures: dict[str, Any]) -> None:
    assert _kept_out(figures, "non-answer") == 26
    # Two irrelevant answers are not kept out (benchmarks/README.md, issue 11, measured the
    # same at main 50c5129 and after the second round): one about while loops, given for
    # string slices, is read as a contradiction (0.4, still "review"); a soup recipe given
    # for floor division scores 0.51 ("practice"): the issue's target for irrelevant answers
    # is not met on this book either.
    assert _kept_out(figures, "irrelevant") >= 24
    assert figures["decisions"]["irrelevant"]["review"] >= 25
    assert figures["auc_correct_vs_irrelevant"] >= 0.95


@pytest.mark.xfail(
    strict=True,
    reason="issue 11 targets not met on the held-out book (benchmarks/README.md): the "
    "offline examiner misses contradictions phrased in the book's own terms",
)
def test_the_issue_targets_hold_on_the_held_out_book(figures: dict[str, Any]) -> None:
    decisions = figures["decisions"]
    assert figures["auc_correct_vs_contradictory"] >= 0.85
    assert decisions["contradictory"]["proceed"] <= 0.1 * 26
    assert decisions["correct"]["proceed"] >= 0.75 * 26
