"""Context layout within the token budget (no model, no database)."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.retrieval.context import build_context, token_counter
from learningos.retrieval.index import Hit

WORDS = [
    "variance",
    "estimator",
    "sample",
    "mean",
    "biased",
    "unbiased",
    "distribution",
    "Pareto",
    "lognormal",
]


def section_text(n_words: int, seed: int = 0) -> str:
    return " ".join(WORDS[(i * 7 + seed) % len(WORDS)] for i in range(n_words))


def hits_and_texts(sizes: list[int]) -> tuple[list[Hit], dict[uuid.UUID, str]]:
    hits = [
        Hit(uuid.uuid4(), 1.0 - i / 10, f"Section {i}", 10 + i, 11 + i) for i in range(len(sizes))
    ]
    return hits, {
        h.section_id: section_text(n, i) for i, (h, n) in enumerate(zip(hits, sizes, strict=True))
    }


def test_counter_counts_and_cuts_on_whole_words() -> None:
    counter = token_counter()
    text = "Kaplan-Meier estimation handles unmarried respondents."
    assert counter.count(text) > len(text.split())  # word pieces and punctuation
    cut = counter.cut(text, 4)
    assert counter.count(cut) <= 4 and text.startswith(cut) and not cut.endswith("-")
    assert counter.cut(text, 1000) == text and counter.cut(text, 0) == ""
    assert counter.count("a b\n\nc d") == counter.count("a b") + counter.count("c d")


def test_context_has_all_parts_in_order_with_citations() -> None:
    hits, texts = hits_and_texts([120, 80, 60])
    context = build_context(
        "What is an unbiased estimator?", hits, texts, ["my note"], ["said n"], 4000
    )
    text = context.text
    order = [
        text.index(h)
        for h in ("## Concept", "## Sources", "## Learner's notes", "## Past mistakes")
    ]
    assert order == sorted(order)
    assert "[1] Section 0 (pp. 10-11)" in text and "[3] Section 2 (pp. 12-13)" in text
    assert context.sources == hits
    assert context.tokens == token_counter().count(text)


def test_sources_fill_what_the_others_leave_and_are_cut_to_fit() -> None:
    hits, texts = hits_and_texts([600, 3000, 3000])
    context = build_context("concept " * 50, hits, texts, ["note"] * 3, ["mistake"] * 3, 4000)
    assert context.tokens <= 4000
    assert context.tokens > 3900  # the room is used
    assert context.sources == hits[:2]  # the second is cut to fit, the third does not fit
    assert texts[hits[0].section_id] in context.text
    assert texts[hits[1].section_id] not in context.text
    assert "- note" in context.text and "- mistake" in context.text


def test_long_notes_and_concept_are_capped() -> None:
    hits, texts = hits_and_texts([100])
    context = build_context("word " * 5000, hits, texts, ["long note " * 2000], ["x " * 3000], 4000)
    counter = token_counter()
    concept = context.text.split("\n\n## Sources")[0]
    assert counter.count(concept) <= 1000
    assert context.sources == hits and context.tokens <= 4000


def test_empty_inputs_give_an_empty_context() -> None:
    context = build_context("", [], {}, [], [], 4000)
    assert (context.text, context.sources, context.tokens) == ("", [], 0)


@settings(max_examples=60, deadline=None)
@given(
    budget=st.integers(min_value=50, max_value=6000),
    sizes=st.lists(st.integers(min_value=0, max_value=2500), max_size=6),
    concept_words=st.integers(min_value=0, max_value=3000),
    notes=st.lists(st.text(max_size=400), max_size=5),
    mistakes=st.lists(st.text(max_size=400), max_size=5),
)
def test_budget_is_never_exceeded(
    budget: int, sizes: list[int], concept_words: int, notes: list[str], mistakes: list[str]
) -> None:
    hits, texts = hits_and_texts(sizes)
    context = build_context(section_text(concept_words), hits, texts, notes, mistakes, budget)
    assert context.tokens <= budget
    assert context.tokens == token_counter().count(context.text)
    positions = [hits.index(h) for h in context.sources]
    assert positions == sorted(positions)  # rank order kept; empty sections skipped
    assert all(texts[h.section_id] for h in context.sources)
