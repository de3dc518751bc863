"""The offline tutor answering a free question: the answering sentence leads, definitions with
symbols and glossary entries count, a sentence that leans on the one before it brings it
along, every quote is verbatim, and "not covered" only when nothing fits.

The passages are written for these tests in a textbook's manner (line breaks and all, as PDF
extraction gives them); one local MiniLM embedder serves the module.
"""

from __future__ import annotations

import re

import pytest

from learningos.ai.inputs import ConceptRef, Passage, TutorInput
from learningos.ai.offline import answers
from learningos.ai.offline.tutor import tutor
from learningos.retrieval.embeddings import LocalEmbedder

BOOK = ConceptRef(title="Programming notes", description="")
LISTS = Passage(
    title="3.2 Lists and tuples",
    section_id="s1",
    page_start=40,
    page_end=41,
    text=(
        "3.2 Lists and tuples\n"
        "Lists and tuples both hold sequences of values, and you can loop over either of\n"
        "them with a for statement. Lists and tuples are both indexed from zero.\n"
        "You can write a tuple with or without parentheses.\n"
        ">>> t = 'a', 'b', 'c'\n"
        ">>> type(t)\n"
        "<class 'tuple'>\n"
        "The main difference is that a list can be changed after it is created, but a\n"
        "tuple is immutable: once it exists, its elements cannot be assigned.\n"
    ),
)
MEAN = Passage(
    title="2.7 Summaries",
    section_id="s2",
    page_start=22,
    text=(
        "2.7 Summaries\n"
        "The mean is the most common summary statistic, and people use it all the time.\n"
        "If you have a sample of n values, xi, the mean, x¯, is the sum of the values\n"
        "divided by the number of values; in other words\n"
        "x¯ =\n"
        "1\n"
        "n ∑\n"
        "i\n"
        "xi\n"
        "The mean of a small sample can be misleading when the values are very diverse.\n"
    ),
)
GLOSSARY = Passage(
    title="2.12 Glossary",
    section_id="s3",
    page_start=30,
    text=(
        "2.12 Glossary\n"
        "• mode: The most frequent value in a sample, or one of the most\n"
        "frequent values.\n"
        "• spread: A measure of how spread out the values in a distribution are.\n"
    ),
)
SUMS = Passage(
    title="14.4 Sums",
    section_id="s4",
    page_start=203,
    text=(
        "14.4 Sums\n"
        "Adding values from most distributions gives a sum whose distribution has no simple\n"
        "form. But if we add up n values from almost any distribution, the distribution of\n"
        "the sum converges to normal as n increases.\n"
        "This result is the Central Limit Theorem. It is one of the most useful tools of\n"
        "statistics, and it has a few conditions that we look at next.\n"
    ),
)


@pytest.fixture(scope="module")
def embedder() -> LocalEmbedder:
    return LocalEmbedder(threads=1)


def ask(question: str, passages: list[Passage], embedder: LocalEmbedder) -> str:
    return tutor(TutorInput(concept=BOOK, passages=passages, question=question), embedder).text


def first_quote(text: str) -> str:
    found = re.search(r"^Your material says: “(.+)” \[\d+\]$", text, re.M)
    assert found, text
    return found.group(1)


def test_the_sentence_that_answers_leads_even_when_others_share_its_words(
    embedder: LocalEmbedder,
) -> None:
    text = ask("What is the difference between a list and a tuple?", [LISTS, MEAN], embedder)
    assert "immutable" in first_quote(text)


def test_a_definition_with_a_symbol_is_quoted_up_to_its_formula(embedder: LocalEmbedder) -> None:
    lead = first_quote(ask("What is the mean of a sample?", [MEAN, LISTS], embedder))
    assert "the sum of the values divided by the number of values" in lead
    assert lead.endswith("…") and "in other words" not in lead and "∑" not in lead


def test_a_glossary_entry_is_quoted_whole_across_its_lines(embedder: LocalEmbedder) -> None:
    lead = first_quote(ask("What is the mode?", [GLOSSARY, MEAN], embedder))
    assert lead.startswith(
        "mode: The most frequent value in a sample, or one of the most frequent values."
    )


def test_a_sentence_that_leans_on_the_one_before_brings_it(embedder: LocalEmbedder) -> None:
    lead = first_quote(ask("What does the Central Limit Theorem say?", [SUMS, MEAN], embedder))
    assert "converges to normal" in lead and "This result is the Central Limit Theorem" in lead


def test_quotes_are_verbatim_and_gaps_are_marked(embedder: LocalEmbedder) -> None:
    text = ask("Can I change a tuple after creating it?", [LISTS], embedder)
    flat = " ".join(LISTS.text.split())
    for quote in re.findall(r"says: “(.+)” \[\d+\]$", text, re.M):
        for piece in quote.split(" …"):
            assert piece.strip() in flat
    assert "[1]" in text


def test_not_covered_only_when_nothing_fits(embedder: LocalEmbedder) -> None:
    off_topic = ask("How do I bake sourdough bread at home?", [LISTS, MEAN, SUMS], embedder)
    assert off_topic.startswith("Your material does not seem to cover this")
    on_topic = ask("Are tuples immutable?", [LISTS, MEAN, SUMS], embedder)
    assert not on_topic.startswith("Your material does not seem to cover this")


def test_the_focus_of_a_question() -> None:
    assert answers.focus("What is the mean of a sample?") == "mean of a sample"
    assert answers.focus("What does skewness measure?") == "skewness"
    assert answers.core("serial correlation in a time series") == {"serial", "correl"}
