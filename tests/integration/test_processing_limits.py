"""Processing is bounded: characters and sections per item, uploads per learner per day; the
learner is told which limit was hit."""

from __future__ import annotations

from tests.conftest import bearer, signed_in
from tests.integration.test_content import NOTES, processed, upload


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
