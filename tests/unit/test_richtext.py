"""AI text becomes real lists, code blocks and quotes, and never raw HTML."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from learningos.web.richtext import rich_text


def parsed(text: str) -> HTMLParser:
    return HTMLParser(f"<div>{rich_text(text)}</div>")


def test_lists_code_and_quotes_are_real_elements() -> None:
    doc = parsed(
        "Here is compound interest:\n- Interest on interest. [1]\n- It grows faster. [1]\n\n"
        "Steps:\n3. Save\n4. Wait\n\n> Time is money.\n\n```python\nx = 1 < 2\n```\nDone."
    )
    assert [li.text() for li in doc.css("ul > li")] == [
        "Interest on interest. [1]",
        "It grows faster. [1]",
    ]
    assert [li.text() for li in doc.css("ol > li")] == ["Save", "Wait"]
    assert doc.css_first("ol").attributes["start"] == "3"
    assert doc.css_first("blockquote").text().strip() == "Time is money."
    code = doc.css_first("pre > code")
    assert code.text() == "x = 1 < 2" and doc.css_first("pre").attributes["data-lang"] == "python"
    assert "- " not in doc.text() and "```" not in doc.text()
    assert [p.text() for p in doc.css("div > p")] == [
        "Here is compound interest:",
        "Steps:",
        "Done.",
    ]


def test_no_stray_space_before_a_closing_quote_and_inline_code() -> None:
    doc = parsed("Your material says: “Errors should never pass silently. ” [1] Use `x`.")
    assert "“Errors should never pass silently.” [1]" in doc.text()
    assert doc.css_first("code").text() == "x"


def test_html_in_the_text_is_escaped() -> None:
    out = str(rich_text("<script>alert(1)</script>\n- <b>x</b>"))
    assert "<script>" not in out and "&lt;script&gt;" in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert str(rich_text(None)) == ""
