"""Cleaning: characters, hyphenation, running heads, footers and page numbers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.content.clean import (
    MARK,
    clean_pages,
    join_hyphenation,
    normalize_chars,
    remove_running_lines,
)

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]


def body(n: int) -> list[str]:
    """Body lines that differ from page to page (as real pages do), digits aside."""
    word = WORDS[n % len(WORDS)]
    return [
        f"The {word} thesis is that data combined with practical methods",
        f"can answer {word} questions and guide decisions under uncertainty,",
        f"and that exploratory {word} analysis is where that work begins.",
    ]


# --- characters ----------------------------------------------------------------------------


def test_ligatures_spaces_and_line_ends_are_normalised() -> None:
    raw = "ﬁnd the ﬂow\r\nof\u00a0eﬀort  and\tﬃx\u200b\r\n"
    assert normalize_chars(raw) == "find the flow\nof effort and ffix\n"


def test_control_characters_become_spaces_so_words_stay_apart() -> None:
    # pdfium gives a glyph without a Unicode mapping (here a space glyph) as U+0003
    assert normalize_chars("ϲΒϴΒ\x03habibi") == "ϲΒϴΒ habibi"


def test_decomposed_accents_are_composed() -> None:
    assert normalize_chars("Cafe\u0301") == "Café"


def test_indentation_kept_when_asked() -> None:
    assert normalize_chars("    code  here\n\tx", keep_indent=True) == "    code here\n    x"


# --- hyphenation ---------------------------------------------------------------------------


def test_pdfium_hyphen_marks_are_joined() -> None:
    page = "where True indicates that the condi\x02tion is true. Some process\ufffeing here."
    (cleaned,) = clean_pages([page])
    assert "the condition is true" in cleaned
    assert "processing here" in cleaned
    assert MARK not in cleaned and "\ufffe" not in cleaned


def test_soft_hyphen_at_line_end_joins_the_lines() -> None:
    (cleaned,) = clean_pages(["an impor\u00ad\ntant result"])
    assert cleaned == "an important\nresult"


def test_plain_hyphen_at_line_end_is_joined_for_lowercase_continuations() -> None:
    (cleaned,) = clean_pages(["the distri-\nbution of values\nSmith-\nJones wrote"])
    assert "the distribution\nof values" in cleaned
    assert "Smith-\nJones" in cleaned  # a name, not hyphenation


def test_compound_words_keep_their_hyphen_when_the_document_spells_them_so() -> None:
    (cleaned,) = clean_pages(["a data-driven method.\nAnother data-\ndriven one."])
    assert cleaned.count("data-driven") == 2


def test_word_split_across_a_page_break_joins_on_the_first_page() -> None:
    pages = join_hyphenation(["the condi\x02", "tion is true\nnext line"])
    assert pages == ["the condition", "is true\nnext line"]


def test_hyphen_before_a_number_or_symbol_is_kept() -> None:
    assert clean_pages(["COVID-\n19 cases", "x-\n- y"]) == ["COVID-\n19 cases", "x-\n- y"]


# --- running heads and page numbers --------------------------------------------------------


def book_pages(count: int, *, first_label: int, heads: bool = True) -> list[list[str]]:
    """Pages laid out like a LaTeX book: running head with the printed page number on the
    outer edge, no head on chapter-opening pages."""
    pages = []
    for physical in range(1, count + 1):
        label = physical - first_label + 1
        if physical == first_label:
            top = ["Chapter 1", "Exploratory data analysis"]
        elif physical % 2 == 0:
            top = [f"{label} Chapter 1. Exploratory data analysis"] if heads else []
        else:
            top = [f"1.{physical}. Section {physical} {label}"] if heads else []
        pages.append([*top, *body(physical)])
    return pages


def test_running_heads_with_page_numbers_are_removed() -> None:
    pages = book_pages(12, first_label=3)
    cleaned = remove_running_lines(pages)
    for physical, lines in enumerate(cleaned, start=1):
        assert lines[-3:] == body(physical)
        assert not any("Chapter 1. Exploratory" in line for line in lines)
        assert not any(line.startswith("1.") for line in lines)


def test_chapter_heading_on_printed_page_one_is_not_a_page_number() -> None:
    cleaned = remove_running_lines(book_pages(12, first_label=5))
    assert cleaned[4][:2] == ["Chapter 1", "Exploratory data analysis"]


def test_footer_page_numbers_in_several_styles() -> None:
    for style in ("{n}", "- {n} -", "Page {n}", "Page {n} of 9", "{n} / 9"):
        pages = [[*body(n), style.format(n=n)] for n in range(1, 10)]
        assert remove_running_lines(pages) == [body(n) for n in range(1, 10)], style


def test_roman_numbered_front_matter() -> None:
    labels = ["i", "ii", "iii", "iv", "v", "vi", "vii"]
    pages = [
        [f"{label} Preface" if n % 2 == 0 else f"Preface {label}", *body(n)]
        for n, label in enumerate(labels, start=1)
    ]
    assert remove_running_lines(pages) == [body(n) for n in range(1, 8)]


def test_section_heading_that_happens_to_match_a_page_number_stays() -> None:
    pages = [[*body(n), str(n)] for n in range(1, 8)]
    pages[0] = ["1 Introduction", *body(1), "1"]
    cleaned = remove_running_lines(pages)
    assert cleaned[0] == ["1 Introduction", *body(1)]
    assert cleaned[1:] == [body(n) for n in range(2, 8)]


def test_repeated_footer_without_numbers_is_removed() -> None:
    pages = [[*body(n), "ACME Corp — Confidential"] for n in range(8)]
    assert remove_running_lines(pages) == [body(n) for n in range(8)]


def test_body_lines_that_repeat_in_the_middle_of_pages_stay() -> None:
    pages = [
        [*body(n)[:2], "x = 1", "return x", *body(n)[2:], f"End {WORDS[n]}."] for n in range(8)
    ]
    assert remove_running_lines(pages) == pages


def test_a_single_page_is_left_alone() -> None:
    assert remove_running_lines([["3", *body(3), "3"]]) == [["3", *body(3), "3"]]


def test_clean_pages_keeps_one_entry_per_page() -> None:
    raw = ["\r\n".join(lines) for lines in book_pages(10, first_label=2)]
    cleaned = clean_pages(raw)
    assert len(cleaned) == 10
    assert "Chapter 1. Exploratory" not in "\n".join(cleaned)


# --- properties ----------------------------------------------------------------------------

page_text = st.text(
    alphabet=st.sampled_from(list("abcXYZ019 .-\n\r\t\x02\ufffe\u00adﬁ\u00a0é")), max_size=300
)


@settings(max_examples=150, deadline=None)
@given(st.lists(page_text, max_size=8))
def test_cleaning_never_fails_and_keeps_pages(pages: list[str]) -> None:
    cleaned = clean_pages(pages)
    assert len(cleaned) == len(pages)
    for text in cleaned:
        assert "\r" not in text and MARK not in text and "\ufffe" not in text
        assert "  " not in text
        assert text == text.strip()


@settings(max_examples=150, deadline=None)
@given(page_text)
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize_chars(text)
    assert normalize_chars(once) == once


@settings(max_examples=100, deadline=None)
@given(st.lists(st.from_regex(r"[A-Za-z][a-z]{0,8}", fullmatch=True), min_size=1, max_size=40))
def test_cleaning_loses_no_words_of_plain_text(words: list[str]) -> None:
    text = "\n".join(" ".join(words[i : i + 5]) for i in range(0, len(words), 5))
    (cleaned,) = clean_pages([text])
    assert cleaned.split() == text.split()
