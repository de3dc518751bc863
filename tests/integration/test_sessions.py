"""The guided loop through the API with the offline engine: tutor → own-words explanation →
examiner → coach → next step; pause/resume; invalid actions; retries; two tabs at once."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from learningos.models import ConceptProgress, Interaction
from tests.conftest import bearer, signed_in
from tests.integration.test_learning_ai import ready_course

GOOD = (
    "Compound interest means you earn interest on the interest you already earned, so money "
    "grows faster each year: 100 dollars at 10 percent becomes 110 and then 121, because the "
    "second year's interest is paid on 110."
)


async def act(client, tokens, session_id, action, message=None, client_id=None, status=200):  # type: ignore[no-untyped-def]
    body = {"session_id": session_id, "action": action}
    if message is not None:
        body["message"] = message
    if client_id is not None:
        body["client_id"] = client_id
    r = await client.post("/api/v1/session/interact", headers=bearer(tokens), json=body)
    assert r.status_code == status, r.text
    return r.json()


async def new_session(client, services, email="ann@example.com"):  # type: ignore[no-untyped-def]
    tokens, content_id, _ = await ready_course(client, services, email)
    course_map = (
        await client.get(f"/api/v1/content/{content_id}/map", headers=bearer(tokens))
    ).json()
    compound = next(c for c in course_map["concepts"] if "ompound" in c["title"])
    r = await client.post(
        "/api/v1/session/start",
        headers=bearer(tokens),
        json={"content_id": content_id, "concept_id": compound["id"]},
    )
    assert r.status_code == 201, r.text
    return tokens, content_id, r.json()


async def test_one_concept_end_to_end(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, started = await new_session(client, services)
    assert started["state"] == "init" and started["allowed"] == ["start", "ask", "pause", "end"]
    sid = started["id"]
    view = await act(client, tokens, sid, "start")
    assert view["state"] == "user_explain"
    [tutor] = view["new_messages"]
    assert tutor["role"] == "tutor" and tutor["engine"] == "offline engine"
    assert tutor["text"].endswith("?") and tutor["text"].count("?") == 1
    assert tutor["evaluation"]["citations"], "the explanation cites the material"
    assert tutor["tokens_in"] > 0

    view = await act(client, tokens, sid, "answer", GOOD, client_id="a1")
    assert view["state"] == "decide_next" and view["allowed"][0] == "continue"
    examiner, coach = view["new_messages"]
    assert examiner["role"] == "examiner" and examiner["learner_text"] == GOOD
    confidence = examiner["evaluation"]["confidence"]
    assert 0 <= confidence <= 1 and examiner["evaluation"]["feedback"]
    decision = coach["evaluation"]["decision"]
    expected = "proceed" if confidence >= 0.75 else "practice" if confidence >= 0.5 else "review"
    assert decision == expected
    assert view["confidence"] == confidence

    progress = (await client.get(f"/api/v1/progress/{content_id}", headers=bearer(tokens))).json()
    row = next(c for c in progress["concepts"] if c["concept_id"] == view["concept"]["id"])
    assert row["attempts"] == 1 and row["last_confidence"] == confidence

    view = await act(client, tokens, sid, "continue")
    if decision == "practice":
        assert view["state"] == "user_explain" and view["practice_task"]
    else:
        assert view["state"] in ("user_explain", "complete")
    if view["state"] != "complete":
        view = await act(client, tokens, sid, "end")
    assert view["status"] == "completed" and view["state"] == "complete"
    assert view["summary"]["summary"] and view["summary"]["engine"] == "offline engine"
    await act(client, tokens, sid, "answer", GOOD, status=409)


async def test_invalid_actions_pause_and_resume(client, services):  # type: ignore[no-untyped-def]
    tokens, _, started = await new_session(client, services)
    sid = started["id"]
    r = await client.post(
        "/api/v1/session/interact",
        headers=bearer(tokens),
        json={"session_id": sid, "action": "answer", "message": GOOD},
    )
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["details"]["state"] == "init" and "start" in error["details"]["allowed"]
    await act(client, tokens, sid, "start")
    r = await client.post(f"/api/v1/session/{sid}/pause", headers=bearer(tokens))
    assert r.json()["state"] == "paused" and r.json()["allowed"][0] == "resume"
    await act(client, tokens, sid, "answer", GOOD, status=409)
    r = await client.post(f"/api/v1/session/{sid}/resume", headers=bearer(tokens))
    assert r.json()["state"] == "user_explain" and r.json()["status"] == "active"
    view = await act(client, tokens, sid, "ask", "What does compounding do over many years?")
    assert view["state"] == "user_explain"  # a question never loses the learner's place
    [answer] = view["new_messages"]
    assert answer["role"] == "tutor" and answer["evaluation"]["kind"] == "answer"
    await act(client, tokens, sid, "answer", "   ", status=422)


async def test_a_retried_message_is_not_applied_twice(client, services):  # type: ignore[no-untyped-def]
    tokens, _, started = await new_session(client, services)
    sid = started["id"]
    await act(client, tokens, sid, "start")
    first = await act(client, tokens, sid, "answer", GOOD, client_id="m-1")
    again = await act(client, tokens, sid, "answer", GOOD, client_id="m-1")
    assert again["replayed"] and again["version"] == first["version"]
    async with services.db.transaction() as session:
        examined = await session.scalar(
            select(func.count()).select_from(Interaction).where(Interaction.role == "examiner")
        )
        progress = await session.scalar(select(ConceptProgress))
    assert examined == 1 and progress is not None and progress.attempts == 1


async def test_two_tabs_at_once_one_wins(client, services):  # type: ignore[no-untyped-def]
    tokens, _, started = await new_session(client, services)
    sid = started["id"]
    await act(client, tokens, sid, "start")

    async def answer(client_id: str):  # type: ignore[no-untyped-def]
        body = {"session_id": sid, "action": "answer", "message": GOOD, "client_id": client_id}
        return await client.post("/api/v1/session/interact", headers=bearer(tokens), json=body)

    results = await asyncio.gather(answer("tab-1"), answer("tab-2"))
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 409], [r.text for r in results]
    async with services.db.transaction() as session:
        examined = await session.scalar(
            select(func.count()).select_from(Interaction).where(Interaction.role == "examiner")
        )
    assert examined == 1
    view = (await client.get(f"/api/v1/session/{sid}", headers=bearer(tokens))).json()
    assert view["state"] == "decide_next"


async def test_nobody_else_reads_or_drives_a_session(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, started = await new_session(client, services)
    other = await signed_in(client, "bob@example.com")
    sid = started["id"]
    assert (await client.get(f"/api/v1/session/{sid}", headers=bearer(other))).status_code == 404
    await act(client, other, sid, "start", status=404)
    r = await client.post(
        "/api/v1/session/start", headers=bearer(other), json={"content_id": content_id}
    )
    assert r.status_code == 404


async def test_the_tutor_reply_streams_as_server_sent_events(client, services):  # type: ignore[no-untyped-def]
    tokens, _, started = await new_session(client, services)
    body = {"session_id": started["id"], "action": "start"}
    events = []
    async with client.stream(
        "POST", "/api/v1/session/interact/stream", headers=bearer(tokens), json=body
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
    names = [n for n, _ in events]
    assert names.count("delta") > 3 and names[-1] == "session"
    text = "".join(d["text"] for n, d in events if n == "delta")
    final = events[-1][1]
    assert final["state"] == "user_explain"
    assert final["messages"][-1]["text"] == text
    body = {"session_id": started["id"], "action": "start"}
    async with client.stream(
        "POST", "/api/v1/session/interact/stream", headers=bearer(tokens), json=body
    ) as response:
        lines = [line async for line in response.aiter_lines() if line.startswith("event: ")]
    assert lines == ["event: error"]  # starting twice is refused, as an event


async def test_the_learn_page_runs_the_loop(client, services):  # type: ignore[no-untyped-def]
    from tests.conftest import register
    from tests.integration.test_content import processed, upload
    from tests.integration.test_learning_ai import COURSE
    from tests.integration.test_pages import html, sign_in_page

    await register(client)
    await sign_in_page(client)
    csrf = client.cookies["lo_csrf"]
    tokens = {"access_token": client.cookies["lo_access"]}
    r = await upload(client, tokens, "course.md", COURSE, title="Saving")
    content_id = r.json()["content"]["id"]
    await processed(client, services, tokens, content_id)
    page = html(await client.get(f"/content/{content_id}"))
    assert page.css_first(f"a[href$='/learn/{content_id}']") is not None
    first = html(await client.get(f"/learn/{content_id}"))
    assert "Start learning" in first.body.text()
    r = await client.post(f"/learn/{content_id}/start", data={"csrf_token": csrf})
    assert r.status_code == 303
    doc = html(await client.get(f"/learn/{content_id}"))
    text = doc.body.text()
    assert "Tutor" in text and "Offline engine" in text
    session_id = doc.css_first("input[name='session_id']").attributes["value"]
    panel = await client.post(
        f"/learn/{content_id}/act",
        data={"csrf_token": csrf, "session_id": session_id, "action": "answer", "message": GOOD},
        headers={"HX-Request": "true"},
    )
    assert panel.status_code == 200
    fragment = html(panel).body.text()
    assert "Examiner" in fragment and "Coach" in fragment and "Confidence" in fragment
    note = html(panel).css_first("[data-offline-note]")
    assert note is not None and "contradictions and missing points" in note.text()
    wrong = await client.post(
        f"/learn/{content_id}/act",
        data={"csrf_token": csrf, "session_id": session_id, "action": "answer", "message": GOOD},
        headers={"HX-Request": "true"},
    )
    assert "You cannot answer now" in wrong.text  # a friendly notice in place, not an error page
    concept_id = doc.css_first("input[name='concept_id']").attributes["value"]
    saved = await client.post(
        f"/learn/{content_id}/note",
        data={"csrf_token": csrf, "concept_id": concept_id, "content": "Interest on interest."},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "version 1" in saved.text
    assert "earlier version" not in saved.text
    again = await client.post(
        f"/learn/{content_id}/note",
        data={"csrf_token": csrf, "concept_id": concept_id, "content": "Interest earns interest."},
        headers={"HX-Request": "true"},
    )
    assert "version 2" in again.text and "History: 1 earlier version" in again.text
    history = html(await client.get(f"/learn/{content_id}")).css_first("#note-feedback details")
    assert history is not None and "Interest on interest." in history.text()
    assert (
        "Interest earns interest."
        in html(await client.get(f"/learn/{content_id}")).css_first("textarea#note").text()
    )


async def test_review_and_progress_change_after_a_session(client, services):  # type: ignore[no-untyped-def]
    tokens, content_id, started = await new_session(client, services)
    sid = started["id"]
    before = (await client.get("/api/v1/progress/summary", headers=bearer(tokens))).json()
    await act(client, tokens, sid, "start")
    await act(client, tokens, sid, "answer", GOOD)
    await act(client, tokens, sid, "end")
    after = (await client.get("/api/v1/progress/summary", headers=bearer(tokens))).json()
    assert before["has_activity"] is False and after["has_activity"] is True
    review = (await client.get("/api/v1/review/summary", headers=bearer(tokens))).json()
    scheduled = [
        item
        for bucket in ("overdue_or_today", "tomorrow", "this_week")
        for item in review["schedule"][bucket]
    ]
    async with services.db.transaction() as session:
        progress = await session.scalar(select(ConceptProgress))
    assert progress is not None and progress.due_at is not None and progress.fsrs_card
    # An easy first explanation is due in more than a week, beyond the listed buckets.
    due_in_days = (progress.due_at - progress.updated_at).days
    expected = [started["concept"]["id"]] if due_in_days < 7 else []
    assert [i["concept_id"] for i in scheduled] == expected
    assert review["latest_session"]["id"] == sid and review["latest_session"]["summary"]
    weekly = (await client.get("/api/v1/review/weekly", headers=bearer(tokens))).json()
    assert weekly["sessions_completed"] == 1 and weekly["concepts_practised"] == 1


async def test_dashboard_shows_where_to_continue_and_the_week(client, services):  # type: ignore[no-untyped-def]
    from tests.integration.test_pages import html, sign_in_page

    tokens, content_id, started = await new_session(client, services)
    await sign_in_page(client)
    before = html(await client.get("/dashboard"))
    assert before.css_first("#continue-title") is not None  # the open session, not started
    assert "Your stats appear after your first study session." in before.body.text()

    await act(client, tokens, started["id"], "start")
    await act(client, tokens, started["id"], "answer", GOOD)
    doc = html(await client.get("/dashboard"))
    text = " ".join(doc.body.text().split())
    assert "Continue where you left off" in text and started["concept"]["title"] in text
    resume = doc.css_first('section[aria-labelledby="continue-title"] a')
    assert resume is not None and resume.attributes["href"].endswith(f"/learn/{content_id}")
    assert "Concepts 1" in text  # one concept evaluated this week
    chart = doc.css_first('svg[aria-labelledby="study-chart-title study-chart-desc"]')
    assert chart is not None and chart.css_first("desc").text().count("minute") == 7
    assert len(chart.parent.css("ol li")) == 7  # the day labels
    ring = doc.css_first('[role="img"][aria-label$="of concepts completed"]')
    assert ring is not None


async def test_content_page_marks_progress_and_starts_any_concept(client, services):  # type: ignore[no-untyped-def]
    from tests.integration.test_pages import html, sign_in_page

    tokens, content_id, started = await new_session(client, services)
    await act(client, tokens, started["id"], "start")
    await act(client, tokens, started["id"], "answer", GOOD)
    await sign_in_page(client)
    doc = html(await client.get(f"/content/{content_id}"))
    forms = [
        f
        for f in doc.css("section[aria-labelledby=map-title] form")
        if f.css_first("[name=concept_id]")
    ]
    assert len(forms) >= 2, "one learn button per concept"
    row = next(f.parent.parent for f in forms if started["concept"]["id"] in f.html)
    assert "confidence" in row.text() and "In progress:" in row.text()
    other = next(f for f in forms if started["concept"]["id"] not in f.html)
    data = {i.attributes["name"]: i.attributes["value"] for i in other.css("input")}
    moved = await client.post(other.attributes["action"], data=data)
    assert moved.status_code == 303
    page = html(await client.get(moved.headers["location"]))
    notes_form = page.css_first('#panel-notes input[name="concept_id"]')
    assert notes_form is not None and notes_form.attributes["value"] == data["concept_id"]
    body = (await client.get(f"/api/v1/session/{started['id']}", headers=bearer(tokens))).json()
    assert body["status"] == "completed"  # the earlier session was ended, nothing lost
