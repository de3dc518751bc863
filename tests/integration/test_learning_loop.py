"""The whole learning loop through the API with the offline engine, from a real PDF upload to
a completed session, and the progress page and review schedule that change because of it."""

from __future__ import annotations

from tests.conftest import bearer, signed_in
from tests.evaldata import PDFS
from tests.integration.test_content import processed, upload
from tests.integration.test_pages import html, sign_in_page
from tests.integration.test_sessions import act

PDF = PDFS / "011-google-doc-document_google-doc-document.pdf"

OWN_WORDS = (
    "The document lists principles for writing code: beautiful is better than ugly, explicit "
    "is better than implicit and simple is better than complex, because readability counts "
    "and errors should never pass silently."
)


async def test_from_a_pdf_upload_to_an_updated_progress_page(client, services):  # type: ignore[no-untyped-def]
    tokens = await signed_in(client)
    r = await upload(client, tokens, "zen.pdf", PDF.read_bytes(), title="The Zen of Python")
    assert r.status_code == 201, r.text
    content_id = r.json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready", status
    assert [s["key"] for s in status["stages"]][-1] == "map"

    course_map = (
        await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))
    ).json()
    assert course_map["concepts"], course_map
    first = course_map["concepts"][0]
    assert first["page_start"] == 1

    r = await client.post(
        "/api/v1/session/start", headers=bearer(tokens), json={"content_id": content_id}
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.json()["concept"]["id"] == first["id"]  # the first concept of the map

    view = await act(client, tokens, sid, "start")
    [tutor] = view["new_messages"]
    assert tutor["role"] == "tutor" and tutor["text"].count("?") == 1
    assert any(c.get("page_start") == 1 for c in tutor["evaluation"]["citations"])
    await sign_in_page(client)
    # The tutor's citation on the learn page opens the reader at that part of the material.
    learn = html(await client.get(f"/learn/{content_id}"))
    links = [a.attributes["href"] for a in learn.css("a.cite-link")]
    assert links and all(f"/content/{content_id}/read?" in link for link in links)
    reader = await client.get(links[0])
    assert reader.status_code == 200 and "Zen" in html(reader).body.text()

    view = await act(client, tokens, sid, "answer", OWN_WORDS, client_id="own-words-1")
    examiner, coach = view["new_messages"]
    confidence = examiner["evaluation"]["confidence"]
    assert 0 < confidence <= 1 and examiner["evaluation"]["feedback"]
    assert coach["evaluation"]["decision"] in ("proceed", "practice", "review")
    # A retried request with the same client id is not applied twice.
    again = await act(client, tokens, sid, "answer", OWN_WORDS, client_id="own-words-1")
    assert again["state"] == view["state"] and not again["new_messages"]

    r = await client.post(
        "/api/v1/notes",
        headers=bearer(tokens),
        json={"concept_id": first["id"], "content": "Readability counts; explicit beats implicit."},
    )
    assert r.status_code == 201, r.text

    view = await act(client, tokens, sid, "end")
    assert view["state"] == "complete" and view["status"] == "completed"
    assert view["summary"], "the reviewer summarises the completed session"

    progress = (await client.get(f"/api/v1/progress/{content_id}", headers=bearer(tokens))).json()
    row = next(c for c in progress["concepts"] if c["concept_id"] == first["id"])
    assert row["attempts"] == 1 and row["last_confidence"] == confidence
    assert [h["confidence"] for h in row["confidence_history"]] == [confidence]
    summary = (await client.get("/api/v1/progress/summary", headers=bearer(tokens))).json()
    assert summary["has_activity"] is True and summary["streak_days"] == 1
    review = (await client.get("/api/v1/review/summary", headers=bearer(tokens))).json()
    assert review["latest_session"]["id"] == sid

    page = html(await client.get("/progress")).body.text()
    words = " ".join(page.split())
    assert "Learn your first concept" not in words and "Daily streak 1 day" in words
    # The page shows averages, kept to three decimals (progress.service.average).
    percent = f"{round(round(confidence, 3) * 100)}%"
    assert f"The Zen of Python 0 of 1 concepts confidence {percent}" in words
    assert f"Average confidence {percent}" in words
