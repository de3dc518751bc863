"""The real file type comes from the bytes; the name only tells Markdown from plain text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.content.document import IngestError
from learningos.content.sniff import sniff_kind

PDF_HEAD = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


@pytest.mark.parametrize("name", ["book.pdf", "book.txt", "book", "notes.md"])
def test_pdf_magic_wins_over_the_name(name: str) -> None:
    assert sniff_kind(PDF_HEAD, name) == "pdf"


def test_pdf_header_after_leading_junk_is_still_a_pdf() -> None:
    assert sniff_kind(b"\x00" * 300 + PDF_HEAD, "x.bin") == "pdf"


def test_pdf_header_beyond_the_first_kilobyte_is_not_a_pdf() -> None:
    with pytest.raises(IngestError) as caught:
        sniff_kind(b"\x00" * 2000 + PDF_HEAD, "x.pdf")
    assert caught.value.code == "unsupported_type"


def test_text_named_pdf_is_refused_with_the_reason() -> None:
    with pytest.raises(IngestError) as caught:
        sniff_kind(b"Chapter 1\nSome plain words.\n", "notes.PDF")
    assert caught.value.code == "not_a_pdf"
    assert "named .pdf but it is not a PDF" in caught.value.message


@pytest.mark.parametrize("name", ["a.md", "A.MD", "b.markdown"])
def test_markdown_is_chosen_by_name(name: str) -> None:
    assert sniff_kind(b"# Title\n\nBody\n", name) == "markdown"


def test_empty_file() -> None:
    with pytest.raises(IngestError) as caught:
        sniff_kind(b"", "x.pdf")
    assert caught.value.code == "empty"


@pytest.mark.parametrize(
    "head",
    [
        b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml" * 10,  # docx
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"\xff\xd8\xff\xe0\x00\x10JFIF",
        b"plain start then \x00\x00\x00 NUL bytes",
        bytes(range(256)) * 4,
    ],
)
def test_binary_junk_is_unsupported(head: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        sniff_kind(head, "upload.txt")
    assert caught.value.code == "unsupported_type"
    assert caught.value.message


def test_legacy_encoded_text_is_text() -> None:
    head = "Le café crème et la crème brûlée sont délicieux.\n".encode("cp1252") * 5
    assert sniff_kind(head, "menu.txt") == "text"


def test_utf16_with_bom_is_text() -> None:
    assert sniff_kind("Hello, world\n".encode("utf-16"), "x.txt") == "text"


def test_head_cut_inside_a_multibyte_character_is_still_text() -> None:
    data = ("Größe " * 20).encode("utf-8")
    assert sniff_kind(data[:-1], "x.txt") == "text"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from(["a.pdf", "a.txt", "a.md", "a"]))
def test_any_bytes_give_a_kind_or_a_specific_error(data: bytes, name: str) -> None:
    try:
        kind = sniff_kind(data, name)
    except IngestError as error:
        assert error.code in {"empty", "unsupported_type", "not_a_pdf"}
    else:
        assert kind in {"pdf", "text", "markdown"}


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1))
def test_any_utf8_text_is_text(text: str) -> None:
    data = text.encode("utf-8")
    if b"%PDF-" in data[:1024]:
        return
    assert sniff_kind(data, "x.txt") == "text"
