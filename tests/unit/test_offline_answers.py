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


# --- questions about an operator, and what a thing does ----------------------------------------

ARITHMETIC = Passage(
    title="1.3 Arithmetic operators",
    section_id="o1",
    page_start=3,
    text=(
        "1.3 Arithmetic operators\n"
        "After printing, the next step is arithmetic. Python has operators, special symbols\n"
        "that stand for computations like addition and multiplication.\n"
        "The operators +, -, * and / perform addition, subtraction, multiplication and\n"
        "division, as in the following examples:\n"
        ">>> 40 + 2\n"
        "42\n"
        "The operator ** performs exponentiation; it raises a number to a power.\n"
    ),
)
DIVISION = Passage(
    title="5.1 Floor division and modulus",
    section_id="o2",
    page_start=40,
    text=(
        "5.1 Floor division and modulus\n"
        "The floor division operator, //, divides two numbers and rounds down to an\n"
        "integer. For example, suppose a film lasts 105 minutes and you want to know how\n"
        "long that is in hours.\n"
        ">>> minutes // 60\n"
        "1\n"
        "To get the part left over, you can use the modulus operator, which divides two\n"
        "numbers and returns the remainder.\n"
        "In Python, the modulus operator is a percent sign (%).\n"
        "The syntax is the same as for the other arithmetic operators.\n"
    ),
)
COMPARING = Passage(
    title="5.2 Boolean expressions",
    section_id="o3",
    page_start=41,
    text=(
        "5.2 Boolean expressions\n"
        "A boolean expression is an expression that is either true or false. The operator\n"
        "== compares two operands and produces True if they are equal.\n"
        "A common mistake is to use a single equal sign instead of a double one.\n"
        "Remember that = is an assignment operator and == is a relational operator.\n"
    ),
)
TRYING = Passage(
    title="14.5 Catching exceptions",
    section_id="o4",
    page_start=150,
    text=(
        "14.5 Catching exceptions\n"
        "A lot of things can go wrong when you try to read and write files, and trying to\n"
        "open a file that does not exist raises an error.\n"
        "To avoid the error you could check first, but it is easier to go ahead and try,\n"
        "and deal with problems if they happen, which is what the try statement is for.\n"
        "The try statement runs the statements in its try clause, and if an exception\n"
        "occurs, it skips the rest of them and runs the except clause instead.\n"
    ),
)
OPERATORS = [ARITHMETIC, DIVISION, COMPARING]


def test_a_question_about_a_symbol_is_answered_by_the_sentence_that_writes_it(
    embedder: LocalEmbedder,
) -> None:
    lead = first_quote(ask("What does the // operator do?", OPERATORS, embedder))
    assert lead.startswith("The floor division operator, //, divides two numbers and rounds down")
    both = first_quote(ask("What is the difference between = and ==?", OPERATORS, embedder))
    assert "= is an assignment operator and == is a relational operator" in both


def test_a_sentence_that_only_names_the_sign_brings_the_one_that_says_what_it_does(
    embedder: LocalEmbedder,
) -> None:
    lead = first_quote(ask("What does % do?", OPERATORS, embedder))
    assert "returns the remainder" in lead
    assert lead.endswith("the modulus operator is a percent sign (%).")


def test_symbols_are_matched_literally() -> None:
    assert answers.symbols("What is the difference between = and ==?") == {"=", "=="}
    assert answers.symbols("What does % do in Python?") == {"%"}
    assert answers.symbols("What is a key-value pair – in short?") == set()
    assert answers.symbols("What does __init__ do?") == {"__init__"}
    assert answers.writes("the modulus operator is a percent sign (%).", "%")
    assert not answers.writes("about 5% of the values", "%")
    assert not answers.writes("see http://example.org", "//")
    assert not answers.writes("if a == b", "=")


def test_what_a_thing_does_is_the_sentence_it_is_the_subject_of(embedder: LocalEmbedder) -> None:
    lead = first_quote(ask("What does a try statement do?", [TRYING], embedder))
    assert lead.startswith("The try statement runs the statements in its try clause")


def test_contractions_and_asking_words_are_not_terms_of_the_question() -> None:
    assert answers.asked_terms("What happens if I read an element that doesn't exist?") == {
        "read",
        "element",
        "exist",
    }
