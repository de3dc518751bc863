"""Code listings survive ingestion as typeset (indentation, `>>>` prompts, one statement per
line), fenced, and show as code blocks on the page. The PDF is built by the test."""

from __future__ import annotations

from pathlib import Path

from learningos.content.clean import clean_pages
from learningos.content.pdf import extract_pdf
from learningos.content.segment import segment
from learningos.web.render import templates
from tests.fakes.books import LIST_LISTING, TOTAL_LISTING, python_book
from tests.fakes.pdfgen import Line, code, prose, write_pdf


def text_blocks(text: str) -> list[tuple[str, str]]:
    """A message cut at its fence lines (```) into ("text", …) and ("code", …) blocks, so a
    page shows quoted code as a code block, its indentation intact. An unclosed fence runs
    to the end."""
    blocks: list[tuple[str, str]] = []
    kind, lines = "text", list[str]()
    for line in (text or "").split("\n"):
        if line.strip().startswith("```"):
            if "\n".join(lines).strip():
                blocks.append((kind, "\n".join(lines).strip("\n")))
            kind, lines = ("code" if kind == "text" else "text"), list[str]()
        else:
            lines.append(line)
    if "\n".join(lines).strip():
        blocks.append((kind, "\n".join(lines).strip("\n")))
    return blocks


def fenced(listing: str) -> str:
    return "```\n" + listing.strip("\n") + "\n```"


def test_listings_keep_their_lines_and_indentation(tmp_path: Path) -> None:
    document = extract_pdf(python_book(tmp_path / "book.pdf"))
    first, second = (page.text for page in document.pages)
    assert fenced(LIST_LISTING) in first
    assert fenced(TOTAL_LISTING) in second
    assert "    for value in values:\n        result += value\n    return result" in second
    # Prose around the listings is not fenced and reads as before.
    assert "The most common way to traverse the elements of a list is with a for loop." in (
        " ".join(second.split())
    )
    assert second.count("```") == 2


def test_sections_carry_the_listings(tmp_path: Path) -> None:
    sections = segment(extract_pdf(python_book(tmp_path / "book.pdf")))
    text = "\n".join(s.text for s in sections)
    assert fenced(TOTAL_LISTING) in text and fenced(LIST_LISTING) in text


def test_a_prose_line_starting_with_a_code_word_stays_prose(tmp_path: Path) -> None:
    page = prose("The loop below adds numbers; read it slowly and say what each line does.")
    page += [Line("is the name of the function that sums them up.", lead="total")]
    page += code("x = 1\nif x:\n    print(x)")
    text = extract_pdf(write_pdf(tmp_path / "mixed.pdf", [page])).pages[0].text
    assert "```\nx = 1\nif x:\n    print(x)\n```" in text
    assert "\ntotal is the name of the function that sums them up.\n```" in text
    assert text.count("```") == 2


def test_cleaning_keeps_indentation_inside_fences_only() -> None:
    [page] = clean_pages(
        ["Some   prose  here.\n```\ndef f():\n    return  1\n```\n  More   prose."]
    )
    assert page == "Some prose here.\n```\ndef f():\n    return 1\n```\nMore prose."


def test_messages_split_into_text_and_code_blocks() -> None:
    message = "Here is the code:\n```\ndef f():\n    return 1\n```\nIt returns 1 [1]."
    assert text_blocks(message) == [
        ("text", "Here is the code:"),
        ("code", "def f():\n    return 1"),
        ("text", "It returns 1 [1]."),
    ]
    assert text_blocks("```\nopen") == [("code", "open")]


def test_code_blocks_render_as_pre_with_indentation() -> None:
    page = (
        templates()
        .env.from_string("{{ t | rich }}")
        .render(t="Look:\n```\nif x < 1:\n    y = 2\n```")
    )
    assert "<pre><code>if x &lt; 1:\n    y = 2</code></pre>" in page
    assert "<p>Look:</p>" in page


def test_short_outputs_stay_in_their_listing_and_figure_ticks_are_no_code(tmp_path: Path) -> None:
    page = prose("To look up the probability of a value, use Prob, like this:")
    page += code(">>> pmf.Prob(2)\n0.4")
    page += prose("The figure below shows the distribution of the values.")
    page += [Line("30 35 40 45", code=True)]
    text = extract_pdf(write_pdf(tmp_path / "ticks.pdf", [page])).pages[0].text
    assert "```\n>>> pmf.Prob(2)\n0.4\n```" in text
    assert "\n30 35 40 45" in text and text.count("```") == 2
