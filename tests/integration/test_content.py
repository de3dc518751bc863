"""Content: upload → processing job → sections and vectors → search; bad files; access."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from learningos.models.content import Content, ContentSection
from learningos.models.jobs import Job
from tests.conftest import bearer, eventually, signed_in
from tests.evaldata import PDFS

FOUR_PAGES = PDFS / "004-pdflatex-4-pages_pdflatex-4-pages.pdf"
OUTLINE = PDFS / "006-pdflatex-outline_pdflatex-outline.pdf"
PASSWORD = PDFS / "005-libreoffice-writer-password_libreoffice-writer-password.pdf"
NOTES = b"""# Photosynthesis

Plants turn light into chemical energy. Chlorophyll absorbs mostly blue and red light.

## The light reactions

Water is split, oxygen is released, and ATP and NADPH are made in the thylakoids.

## The Calvin cycle

In the stroma, the enzyme RuBisCO fixes carbon dioxide into sugars using ATP and NADPH.
"""


async def upload(client, tokens, name: str, data: bytes, **form):  # type: ignore[no-untyped-def]
    return await client.post(
        "/api/v1/content/upload", headers=bearer(tokens), files={"file": (name, data)}, data=form
    )


async def processed(client, services, tokens, content_id: str) -> dict:  # type: ignore[no-untyped-def]
    """Wait for processing; in the Redis run (no worker here) run the job in this process."""
    if services.settings.redis_url:
        async with services.db.transaction() as session:
            jobs = (
                await session.scalars(
                    select(Job).where(Job.name == "content.process", Job.status == "queued")
                )
            ).all()
        for row in jobs:
            await services.queue.run(row.id)

    async def done():  # type: ignore[no-untyped-def]
        r = await client.get(f"/api/v1/content/{content_id}/status", headers=bearer(tokens))
        body = r.json()
        return body if body["status"] in ("ready", "error") else None

    return await eventually(done, timeout=120)


async def test_markdown_upload_is_processed_into_sections_and_searchable(client, services):
    tokens = await signed_in(client)
    response = await upload(client, tokens, "photosynthesis.md", NOTES, title="Bio notes")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["duplicate"] is False and body["content"]["type"] == "markdown"
    content_id = body["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready" and status["progress"] == 100
    assert all(s["state"] == "done" for s in status["stages"])
    detail = (await client.get(f"/api/v1/content/{content_id}", headers=bearer(tokens))).json()
    titles = [s["title"] for s in detail["sections"]]
    assert "The Calvin cycle" in titles and "The light reactions" in titles
    found = await client.get(
        f"/api/v1/content/{content_id}/search",
        params={"q": "which enzyme grabs CO2 to make sugar?"},
        headers=bearer(tokens),
    )
    assert found.status_code == 200
    hits = found.json()["hits"]
    assert hits and hits[0]["title"] == "The Calvin cycle"
    assert "RuBisCO" in hits[0]["snippet"]


async def test_pdf_upload_keeps_page_numbers(client, services):
    tokens = await signed_in(client)
    response = await upload(client, tokens, "paper.pdf", FOUR_PAGES.read_bytes())
    content_id = response.json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready", status
    detail = (await client.get(f"/api/v1/content/{content_id}", headers=bearer(tokens))).json()
    assert detail["page_count"] == 4
    pages = [(s["page_start"], s["page_end"]) for s in detail["sections"]]
    assert pages and all(1 <= a <= b <= 4 for a, b in pages)


async def test_same_file_twice_returns_the_existing_item(client, services):
    tokens = await signed_in(client)
    first = await upload(client, tokens, "notes.md", NOTES)
    second = await upload(client, tokens, "copy-of-notes.md", NOTES)
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert second.json()["content"]["id"] == first.json()["content"]["id"]
    await processed(client, services, tokens, first.json()["content"]["id"])


async def test_password_protected_pdf_fails_with_a_reason_and_can_be_retried(client, services):
    tokens = await signed_in(client)
    response = await upload(client, tokens, "secret.pdf", PASSWORD.read_bytes())
    content_id = response.json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "error"
    assert "password" in status["message"].lower()
    retry = await client.post(f"/api/v1/content/{content_id}/retry", headers=bearer(tokens))
    assert retry.status_code == 202
    again = await processed(client, services, tokens, content_id)
    assert again["status"] == "error" and "password" in again["message"].lower()


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("empty.pdf", b"", 422, "validation_error"),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, 415, "unsupported_file"),
        ("archive.pdf", b"PK\x03\x04" + b"\x00" * 200, 415, "unsupported_file"),
    ],
)
async def test_bad_files_are_refused_with_a_clear_error(client, name, data, status, code):
    tokens = await signed_in(client)
    response = await upload(client, tokens, name, data)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    listing = await client.get("/api/v1/content", headers=bearer(tokens))
    assert listing.json() == []


async def test_a_pdf_named_txt_is_a_pdf_and_text_named_pdf_is_refused(client, services):
    tokens = await signed_in(client)
    pdf = await upload(client, tokens, "really-a-pdf.txt", FOUR_PAGES.read_bytes())
    assert pdf.json()["content"]["type"] == "pdf"
    status = await processed(client, services, tokens, pdf.json()["content"]["id"])
    assert status["status"] == "ready"

    text = await upload(client, tokens, "really-text.pdf", NOTES)
    assert text.status_code == 415, text.text
    error = text.json()["error"]
    assert error["code"] == "unsupported_file"
    assert "named .pdf but it is not a PDF" in error["message"]
    listing = (await client.get("/api/v1/content", headers=bearer(tokens))).json()
    assert [item["type"] for item in listing] == ["pdf"]


async def test_oversized_upload_is_refused_before_it_is_read(client, settings):
    tokens = await signed_in(client)
    headers = {
        **bearer(tokens),
        "content-type": "multipart/form-data; boundary=x",
        "content-length": str(settings.max_upload_bytes + 10 * 1024 * 1024),
    }
    response = await client.post("/api/v1/content/upload", headers=headers, content=b"--x--")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_other_users_can_neither_see_search_nor_delete(client, services):
    owner = await signed_in(client)
    content_id = (await upload(client, owner, "notes.md", NOTES)).json()["content"]["id"]
    await processed(client, services, owner, content_id)
    other = await signed_in(client, email="bob@example.com")
    for method, path in [
        ("GET", f"/api/v1/content/{content_id}"),
        ("GET", f"/api/v1/content/{content_id}/status"),
        ("GET", f"/api/v1/content/{content_id}/search?q=light"),
        ("DELETE", f"/api/v1/content/{content_id}"),
        ("POST", f"/api/v1/content/{content_id}/retry"),
    ]:
        response = await client.request(method, path, headers=bearer(other))
        assert response.status_code == 404, (method, path, response.text)
    assert (await client.get("/api/v1/content", headers=bearer(other))).json() == []


async def test_delete_removes_sections_vectors_and_the_file(client, services):
    tokens = await signed_in(client)
    content_id = (await upload(client, tokens, "notes.md", NOTES)).json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    async with services.db.transaction() as session:
        content = await session.get(Content, uuid.UUID(content_id))
        key = content.file_key
    assert await services.storage.exists(key)
    response = await client.delete(f"/api/v1/content/{content_id}", headers=bearer(tokens))
    assert response.status_code == 204
    async with services.db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ContentSection)
            .where(ContentSection.content_id == uuid.UUID(content_id))
        )
        purge = (await session.scalars(select(Job).where(Job.name == "content.purge"))).one()
    assert count == 0
    if services.settings.redis_url:
        await services.queue.run(purge.id)

    async def gone():  # type: ignore[no-untyped-def]
        hits = await services.index.search(uuid.UUID(content_id), "light", 5)
        return not hits and not await services.storage.exists(key)

    await eventually(gone)
    missing = await client.get(f"/api/v1/content/{content_id}", headers=bearer(tokens))
    assert missing.status_code == 404


async def test_reindex_rebuilds_the_vectors_from_stored_sections(client, services):
    from learningos.content.reindex import reindex_all

    tokens = await signed_in(client)
    content_id = (await upload(client, tokens, "notes.md", NOTES)).json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    before = await services.index.search(uuid.UUID(content_id), "Calvin cycle enzyme", 3)
    await services.index.recreate()
    assert await services.index.search(uuid.UUID(content_id), "Calvin cycle enzyme", 3) == []
    titles: list[str] = []
    assert await reindex_all(services, progress=titles.append) == 1
    after = await services.index.search(uuid.UUID(content_id), "Calvin cycle enzyme", 3)
    assert titles == ["notes"]
    assert [h.section_id for h in after] == [h.section_id for h in before]


async def test_progress_moves_while_sections_are_embedded(client, services, monkeypatch):
    from learningos.content import tasks

    recorded: list[dict] = []
    real = tasks.set_progress

    async def spy(services_, content_id, **values):  # type: ignore[no-untyped-def]
        recorded.append(values)
        await real(services_, content_id, **values)

    monkeypatch.setattr(tasks, "set_progress", spy)
    notes = "\n\n".join(f"## Topic {i}\n\nFact number {i} about topic {i}." for i in range(160))
    tokens = await signed_in(client)
    content_id = (await upload(client, tokens, "many.md", notes.encode())).json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready"
    during = [v["progress"] for v in recorded if "progress" in v and 45 < v["progress"] < 100]
    assert len(set(during)) >= 2, f"progress did not move while embedding: {recorded}"
