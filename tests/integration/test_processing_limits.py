"""Processing is bounded: characters and sections per item, uploads per learner per day; the
learner is told which limit was hit."""

from __future__ import annotations

import resource
import threading
import time

import pytest

from learningos.content.document import IngestError
from learningos.content.pdf_process import extract_pdf_bounded
from tests.conftest import bearer, signed_in
from tests.fakes.pdfbomb import write_pdf_bomb
from tests.integration.test_content import (
    FOUR_PAGES,
    NOTES,
    PASSWORD,
    processed,
    upload,
)


async def test_an_item_with_too_much_text_fails_and_names_the_limit(client, services, monkeypatch):
    monkeypatch.setattr(services.settings, "max_item_characters", 1_000)
    tokens = await signed_in(client)
    body = ("A sentence of an endless single-line file. " * 100).encode()
    made = await upload(client, tokens, "huge.txt", body)
    assert made.status_code == 201, made.text
    status = await processed(client, services, tokens, made.json()["content"]["id"])
    assert status["status"] == "error"
    assert "characters of text; one material may have up to 1,000" in status["message"]


async def test_an_item_with_too_many_sections_fails_and_names_the_limit(
    client, services, monkeypatch
):
    monkeypatch.setattr(services.settings, "max_item_sections", 10)
    tokens = await signed_in(client)
    chapters = "\n\n".join(
        f"# Chapter {i}\n\nThe idea number {i} is explained here." for i in range(30)
    )
    made = await upload(client, tokens, "many.md", chapters.encode())
    status = await processed(client, services, tokens, made.json()["content"]["id"])
    assert status["status"] == "error"
    assert "sections; one material may have up to 10" in status["message"]


async def test_uploads_per_learner_are_limited_with_retry_after(client, services, monkeypatch):
    monkeypatch.setattr(services.settings, "upload_limit_per_user", "2/day")
    tokens = await signed_in(client)
    for i in range(2):
        made = await upload(client, tokens, f"n{i}.md", NOTES + str(i).encode())
        assert made.status_code == 201, made.text
    again = await upload(client, tokens, "n0.md", NOTES + b"0")
    assert again.status_code == 200 and again.json()["duplicate"] is True  # costs nothing
    third = await upload(client, tokens, "n2.md", NOTES + b"2")
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) > 0
    assert third.json()["error"]["code"] == "rate_limited"
    listing = (await client.get("/api/v1/content", headers=bearer(tokens))).json()
    assert len(listing) == 2
    for item in listing:
        await processed(client, services, tokens, item["id"])


async def test_a_pdf_that_expands_past_the_memory_limit_fails_with_that_reason(
    client, services, monkeypatch, tmp_path
):
    monkeypatch.setattr(services.settings, "pdf_memory_limit_mb", 64)
    bomb = write_pdf_bomb(tmp_path / "bomb.pdf", expanded_mb=150)
    assert bomb.stat().st_size < 200_000  # a small file ...
    tokens = await signed_in(client)
    made = await upload(client, tokens, "bomb.pdf", bomb.read_bytes())
    assert made.status_code == 201, made.text
    status = await processed(client, services, tokens, made.json()["content"]["id"])
    assert status["status"] == "error"
    assert "expands to more than 64 MB when decompressed" in status["message"]
    # The process that ran the job is unharmed and goes on with the next file.
    good = await upload(client, tokens, "four.pdf", FOUR_PAGES.read_bytes())
    assert (await processed(client, services, tokens, good.json()["content"]["id"]))[
        "status"
    ] == "ready"


def test_the_same_pdf_is_read_when_the_limit_allows_it_and_the_parent_does_not_grow(tmp_path):
    bomb = write_pdf_bomb(tmp_path / "bomb.pdf", expanded_mb=150)
    pages: list[tuple[int, int]] = []
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    document = extract_pdf_bounded(bomb, max_pages=10, memory_mb=1024, on_page=_note(pages))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert "expands to a very large stream" in document.pages[0].text
    assert pages == [(1, 1)]
    assert grown_mb < 50  # in this process the stream alone would add ~300 MB
    with pytest.raises(IngestError) as refused:
        extract_pdf_bounded(bomb, max_pages=10, memory_mb=64)
    assert refused.value.code == "too_large_expanded"


def test_errors_of_the_file_come_back_from_the_child_and_a_stop_kills_it(tmp_path):
    with pytest.raises(IngestError) as locked:
        extract_pdf_bounded(PASSWORD, max_pages=10, memory_mb=256)
    assert locked.value.code == "encrypted"
    with pytest.raises(IngestError) as long:
        extract_pdf_bounded(FOUR_PAGES, max_pages=2, memory_mb=256)
    assert long.value.code == "too_many_pages"
    bomb = write_pdf_bomb(tmp_path / "bomb.pdf", expanded_mb=400)
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    started = time.monotonic()
    with pytest.raises(InterruptedError):
        extract_pdf_bounded(bomb, max_pages=10, memory_mb=4096, stop=stop)
    assert time.monotonic() - started < 2.5


def _note(pages: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    return lambda done, total: pages.append((done, total))
