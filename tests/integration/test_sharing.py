"""Sharing: visibility, invitations by email, share links, who has access, revocation."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from learningos.kit.db import utcnow
from learningos.models.content import ContentAccess
from learningos.models.jobs import Job
from learningos.models.sharing import ShareLink
from tests.conftest import bearer, eventually, signed_in
from tests.integration.test_account import body_of, make_admin, outbox
from tests.integration.test_pages import html
from tests.integration.test_progress import make_content, user_id_of
from tests.integration.test_qdrant_server_mode import run_queued


async def setup_item(client, services, visibility: str = "private", title: str = "Statistics"):  # type: ignore[no-untyped-def]
    owner = bearer(await signed_in(client, "owner@example.com"))
    owner_id = await user_id_of(services, "owner@example.com")
    content_id, concepts = await make_content(
        services, owner_id, ["Mean", "Variance"], title=title, visibility=visibility
    )
    return owner, content_id, concepts


async def code_in_mail(services, to: str) -> str:  # type: ignore[no-untyped-def]
    await run_queued(services, "sharing.invitation_email")

    async def mail():  # type: ignore[no-untyped-def]
        # Only the invitation: a newly registered address also gets a welcome message.
        return [
            found
            for m in outbox(services)
            if m["To"] == to and (found := re.search(r"/s/([A-Za-z0-9_-]+)", body_of(m)))
        ]

    return (await eventually(mail))[-1].group(1)


# -- visibility ------------------------------------------------------------------------------


async def test_visibility_owner_reader_stranger_admin(client, services):
    owner, content_id, _ = await setup_item(client, services)
    stranger = bearer(await signed_in(client, "stranger@example.com"))
    url = f"/api/v1/content/{content_id}/visibility"

    # A stranger cannot see a private item: 404, the same as an id that does not exist.
    assert (
        await client.patch(url, json={"visibility": "public"}, headers=stranger)
    ).status_code == 404
    missing = f"/api/v1/content/{uuid.uuid4()}/visibility"
    assert (
        await client.patch(missing, json={"visibility": "public"}, headers=owner)
    ).status_code == 404

    response = await client.patch(url, json={"visibility": "public"}, headers=owner)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "id": str(content_id), "visibility": "public", "is_platform_content": False,
        "price_cents": 0, "is_listed": True, "split": None,
    }  # fmt: skip
    # Now the stranger can read it, but may not change who else can.
    assert (await client.get(f"/api/v1/content/{content_id}", headers=stranger)).status_code == 200
    refused = await client.patch(url, json={"visibility": "private"}, headers=stranger)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"

    # Platform content: admins only, a clear 403 for the owner.
    refused = await client.patch(url, json={"visibility": "platform"}, headers=owner)
    assert refused.status_code == 403
    assert "admin" in refused.json()["error"]["message"]
    bad = await client.patch(url, json={"visibility": "everyone"}, headers=owner)
    assert bad.status_code == 422
    await make_admin(services, "stranger@example.com")
    done = await client.patch(url, json={"visibility": "platform"}, headers=stranger)
    assert done.status_code == 200 and done.json()["is_platform_content"] is True
    # ...and once in the platform library, only an admin takes it out again.
    assert (
        await client.patch(url, json={"visibility": "private"}, headers=owner)
    ).status_code == 403


async def test_a_reader_cannot_change_process_or_delete(client, services):
    owner, content_id, _ = await setup_item(client, services, visibility="public")
    reader = bearer(await signed_in(client, "reader@example.com"))
    base = f"/api/v1/content/{content_id}"
    assert (await client.get(base, headers=reader)).status_code == 200
    assert (await client.patch(base, json={"title": "Mine"}, headers=reader)).status_code == 403
    assert (await client.post(f"{base}/retry", headers=reader)).status_code == 403
    assert (await client.delete(base, headers=reader)).status_code == 403
    assert (await client.post(f"{base}/share-links", headers=reader)).status_code == 403
    assert (await client.get(f"{base}/access", headers=reader)).status_code == 403
    invite = await client.post(f"{base}/share", json={"email": "x@example.com"}, headers=reader)
    assert invite.status_code == 403
    assert (await client.get(base, headers=owner)).json()["title"] == "Statistics"


# -- invitations -----------------------------------------------------------------------------


async def test_invitation_answers_the_same_for_known_and_unknown_addresses(client, services):
    owner, content_id, _ = await setup_item(client, services)
    friend = bearer(await signed_in(client, "friend@example.com"))
    url = f"/api/v1/content/{content_id}/share"

    known = await client.post(url, json={"email": "Friend@Example.com"}, headers=owner)
    unknown = await client.post(url, json={"email": "new@example.com"}, headers=owner)
    assert known.status_code == unknown.status_code == 202
    assert set(known.json()) == set(unknown.json()) == {"email", "status", "expires_at"}
    assert known.json()["email"] == "friend@example.com"

    # The existing account has access now, and the item became shared.
    detail = await client.get(f"/api/v1/content/{content_id}", headers=friend)
    assert detail.status_code == 200 and detail.json()["visibility"] == "shared"
    library = await client.get("/api/v1/content", headers=friend)
    assert [c["id"] for c in library.json()] == [str(content_id)]

    # Both addresses get the same kind of email, with a link.
    await code_in_mail(services, "friend@example.com")
    code = await code_in_mail(services, "new@example.com")
    assert len(code) >= 22  # at least 128 bits of url-safe base64
    # The code reaches the worker sealed: the jobs table never holds it readable.
    async with services.db.scratch() as session:
        payloads = [json.dumps(j.payload) for j in await session.scalars(select(Job))]
    assert payloads and not any(code in p for p in payloads)

    # Both are listed as invitations: the list does not tell which address has an account.
    entries = (await client.get(f"/api/v1/content/{content_id}/access", headers=owner)).json()
    hows = sorted((e["how"], e["email"]) for e in entries)
    assert hows == [
        ("invitation", "friend@example.com"),
        ("invitation", "new@example.com"),
        ("owner", "owner@example.com"),
    ]

    # The unknown address registers, opens the link and is in.
    newcomer = bearer(await signed_in(client, "new@example.com"))
    assert (await client.get(f"/api/v1/content/{content_id}", headers=newcomer)).status_code == 404
    accepted = await client.post(f"/api/v1/share-links/{code}/accept", headers=newcomer)
    assert accepted.status_code == 200 and accepted.json() == {"content_id": str(content_id)}
    assert (await client.get(f"/api/v1/content/{content_id}", headers=newcomer)).status_code == 200
    # An invitation is used once: someone else with the same link is refused.
    other = bearer(await signed_in(client, "other@example.com"))
    again = await client.post(f"/api/v1/share-links/{code}/accept", headers=other)
    assert again.status_code == 410 and again.json()["error"]["code"] == "link_gone"


async def test_invitation_bad_input(client, services):
    owner, content_id, _ = await setup_item(client, services)
    url = f"/api/v1/content/{content_id}/share"
    yourself = await client.post(url, json={"email": "OWNER@example.com"}, headers=owner)
    assert yourself.status_code == 422
    assert yourself.json()["error"]["details"][0]["field"] == "email"
    invalid = await client.post(url, json={"email": "not an address"}, headers=owner)
    assert invalid.status_code == 422
    assert (await client.post(url, json={}, headers=owner)).status_code == 422
    foreign = f"/api/v1/content/{uuid.uuid4()}/share"
    missing = await client.post(foreign, json={"email": "a@example.com"}, headers=owner)
    assert missing.status_code == 404
    # Nothing was sent and the item stayed private.
    detail = await client.get(f"/api/v1/content/{content_id}", headers=owner)
    assert detail.json()["visibility"] == "private"
    await services.queue.wait_idle(timeout=10) if not services.settings.redis_url else None
    assert [m for m in outbox(services) if "shared material" in m["Subject"]] == []


async def test_invitations_are_rate_limited_per_owner(client, services, monkeypatch):
    monkeypatch.setattr(services.settings, "invite_limit_per_owner", "2/hour")
    owner, content_id, _ = await setup_item(client, services)
    url = f"/api/v1/content/{content_id}/share"
    for n in range(2):
        sent = await client.post(url, json={"email": f"p{n}@example.com"}, headers=owner)
        assert sent.status_code == 202
    limited = await client.post(url, json={"email": "p9@example.com"}, headers=owner)
    assert limited.status_code == 429 and "Retry-After" in limited.headers


# -- share links -----------------------------------------------------------------------------


async def test_share_link_grants_lists_and_revokes(client, services):
    owner, content_id, _ = await setup_item(client, services)
    created = await client.post(f"/api/v1/content/{content_id}/share-links", headers=owner)
    assert created.status_code == 201, created.text
    link = created.json()
    code = link["url"].rsplit("/s/", 1)[1]
    expires = link["expires_at"]
    assert timedelta(days=6, hours=23) < _parse(expires) - utcnow() <= timedelta(days=7)
    # Only the hash of the code is stored.
    async with services.db.transaction() as session:
        stored = await session.scalar(select(ShareLink.code_hash))
        assert code not in stored

    learner = bearer(await signed_in(client, "learner@example.com"))
    assert (
        await client.post(f"/api/v1/share-links/{code}/accept", headers=learner)
    ).status_code == 200
    assert (await client.get(f"/api/v1/content/{content_id}", headers=learner)).status_code == 200

    entries = (await client.get(f"/api/v1/content/{content_id}/access", headers=owner)).json()
    via_link = [e for e in entries if e["how"] == "link"]
    assert [e["email"] for e in via_link] == ["learner@example.com"] and via_link[0]["live"]
    links = (await client.get(f"/api/v1/content/{content_id}/share-links", headers=owner)).json()
    assert links[0]["use_count"] == 1 and links[0]["url"] is None

    # Revoking the grant ends access, and the old link does not give it back.
    grant_id = via_link[0]["id"]
    gone = await client.delete(f"/api/v1/content/{content_id}/access/{grant_id}", headers=owner)
    assert gone.status_code == 204
    assert (await client.get(f"/api/v1/content/{content_id}", headers=learner)).status_code == 404
    retried = await client.post(f"/api/v1/share-links/{code}/accept", headers=learner)
    assert retried.status_code == 410
    # A new link from the owner does.
    fresh = (await client.post(f"/api/v1/content/{content_id}/share-links", headers=owner)).json()
    again = fresh["url"].rsplit("/s/", 1)[1]
    assert (
        await client.post(f"/api/v1/share-links/{again}/accept", headers=learner)
    ).status_code == 200
    assert (await client.get(f"/api/v1/content/{content_id}", headers=learner)).status_code == 200

    # Revoking a link stops it for everyone else.
    revoked = await client.delete(
        f"/api/v1/content/{content_id}/share-links/{fresh['id']}", headers=owner
    )
    assert revoked.status_code == 204
    late = bearer(await signed_in(client, "late@example.com"))
    refused = await client.post(f"/api/v1/share-links/{again}/accept", headers=late)
    assert refused.status_code == 410 and "revoked" in refused.json()["error"]["message"]


def _parse(text: str):  # type: ignore[no-untyped-def]
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_share_link_bad_input(client, services):
    owner, content_id, _ = await setup_item(client, services)
    url = f"/api/v1/content/{content_id}/share-links"
    assert (await client.post(url, json={"days": 31}, headers=owner)).status_code == 422
    assert (await client.post(url, json={"days": 0}, headers=owner)).status_code == 422
    month = (await client.post(url, json={"days": 30}, headers=owner)).json()
    assert _parse(month["expires_at"]) - utcnow() > timedelta(days=29)
    learner = bearer(await signed_in(client, "learner@example.com"))
    unknown = await client.post("/api/v1/share-links/not-a-real-code/accept", headers=learner)
    assert unknown.status_code == 404
    stranger_link = f"/api/v1/content/{content_id}/share-links/{uuid.uuid4()}"
    assert (await client.delete(stranger_link, headers=owner)).status_code == 404
    grant = f"/api/v1/content/{content_id}/access/{uuid.uuid4()}"
    assert (await client.delete(grant, headers=owner)).status_code == 404
    # The owner's own access is not revocable.
    entries = (await client.get(f"/api/v1/content/{content_id}/access", headers=owner)).json()
    own = f"/api/v1/content/{content_id}/access/{entries[0]['id']}"
    assert (await client.delete(own, headers=owner)).status_code == 403

    # An expired link, and a link to an item made private again.
    code = month["url"].rsplit("/s/", 1)[1]
    async with services.db.transaction() as session:
        await session.execute(update(ShareLink).values(expires_at=utcnow() - timedelta(seconds=1)))
    expired = await client.post(f"/api/v1/share-links/{code}/accept", headers=learner)
    assert expired.status_code == 410 and "expired" in expired.json()["error"]["message"]
    fresh = (await client.post(url, headers=owner)).json()["url"].rsplit("/s/", 1)[1]
    vis = f"/api/v1/content/{content_id}/visibility"
    assert (
        await client.patch(vis, json={"visibility": "private"}, headers=owner)
    ).status_code == 200
    private = await client.post(f"/api/v1/share-links/{fresh}/accept", headers=learner)
    assert private.status_code == 410
    assert (await client.get(f"/api/v1/content/{content_id}", headers=learner)).status_code == 404


async def test_making_private_suspends_grants_and_sharing_again_resumes(client, services):
    owner, content_id, _ = await setup_item(client, services)
    friend = bearer(await signed_in(client, "friend@example.com"))
    await client.post(
        f"/api/v1/content/{content_id}/share", json={"email": "friend@example.com"}, headers=owner
    )
    item = f"/api/v1/content/{content_id}"
    vis = f"{item}/visibility"
    assert (await client.get(item, headers=friend)).status_code == 200
    await client.patch(vis, json={"visibility": "private"}, headers=owner)
    assert (await client.get(item, headers=friend)).status_code == 404
    await client.patch(vis, json={"visibility": "shared"}, headers=owner)
    assert (await client.get(item, headers=friend)).status_code == 200
    # Several reasons for one learner and item can be held at once.
    async with services.db.transaction() as session:
        friend_id = await user_id_of(services, "friend@example.com")
        session.add(
            ContentAccess(content_id=content_id, user_id=friend_id, access_type="purchased")
        )
    async with services.db.transaction() as session:
        rows = await session.scalars(
            select(ContentAccess.access_type).where(ContentAccess.user_id == friend_id)
        )
        assert sorted(rows) == ["purchased", "shared"]


# -- pages -----------------------------------------------------------------------------------


async def test_share_code_page_signed_out_signed_in_and_gone(client, services):
    owner, content_id, _ = await setup_item(client, services, title="<b>Bold</b> stats")
    link = (await client.post(f"/api/v1/content/{content_id}/share-links", headers=owner)).json()
    path = "/s/" + link["url"].rsplit("/s/", 1)[1]
    client.cookies.clear()
    signed_out = await client.get(path)
    assert signed_out.status_code == 200
    doc = html(signed_out)
    hrefs = [a.attributes["href"].removeprefix("http://testserver") for a in doc.css("a.btn")]
    assert f"/login?next={path}" in hrefs and f"/register?next={path}" in hrefs

    # Register through the page with ?next and come back to the link.
    from tests.integration.test_pages import csrf_of

    page = await client.get(f"/register?next={path}")
    form = html(page).css_first('input[name="next"]')
    assert form is not None and form.attributes["value"] == path
    registered = await client.post(
        "/register",
        data={
            "name": "Lee", "email": "lee@example.com", "password": "correct horse battery",
            "password_confirm": "correct horse battery", "accept_terms": "on",
            "next": path, "csrf_token": csrf_of(html(page)),
        },
    )  # fmt: skip
    assert registered.status_code == 303 and registered.headers["location"] == path
    opened = await client.get(path)
    assert opened.status_code == 303 and opened.headers["location"] == f"/content/{content_id}"
    detail = await client.get(f"/content/{content_id}")
    assert detail.status_code == 200
    text = detail.text
    assert "<b>Bold</b>" not in text and "&lt;b&gt;Bold&lt;/b&gt;" in text
    # A reader sees no share or delete controls.
    doc = html(detail)
    assert doc.css_first("[data-dialog]") is None
    assert doc.css_first('form[action$="/delete"]') is None

    async with services.db.transaction() as session:
        await session.execute(update(ShareLink).values(revoked_at=utcnow()))
    client.cookies.clear()
    await signed_in(client, "late@example.com")
    from tests.integration.test_pages import sign_in_page

    client.cookies.clear()
    await sign_in_page(client, "late@example.com")
    gone = await client.get(path)
    assert gone.status_code == 410 and "revoked" in gone.text
    unknown = await client.get("/s/nope")
    assert unknown.status_code == 404


async def test_share_panel_page_and_fragment(client, services):
    from tests.integration.test_pages import csrf_of, sign_in_page

    _, content_id, _ = await setup_item(client, services, title="<i>Stats</i>")
    client.cookies.clear()
    await sign_in_page(client, "owner@example.com")
    page = await client.get(f"/content/{content_id}/share")
    assert page.status_code == 200
    doc = html(page)
    assert doc.css_first("#share-panel") is not None and "&lt;i&gt;" in page.text
    choices = [i.attributes["value"] for i in doc.css('input[name="visibility"]')]
    assert choices == ["private", "shared", "public", "paid"]  # platform: admins only
    csrf = csrf_of(doc)
    invited = await client.post(
        f"/content/{content_id}/share/invite",
        data={"email": "<script>@x", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert invited.status_code == 422 and "<script>" not in invited.text
    toast = json.loads(invited.headers["HX-Trigger"])["toast"]
    assert toast["level"] == "error" and "valid email" in toast["message"]
    assert "<html" not in invited.text  # an htmx fragment
    ok = await client.post(
        f"/content/{content_id}/share/invite", data={"email": "pal@example.com", "csrf_token": csrf}
    )
    assert ok.status_code == 200 and "pal@example.com" in ok.text
    made = await client.post(f"/content/{content_id}/share/link", data={"csrf_token": csrf})
    url = html(made).css_first("[data-new-share-link]").attributes["value"]
    assert "/s/" in url
    # The content page holds the Share dialog for the owner.
    detail = html(await client.get(f"/content/{content_id}"))
    opener = detail.css_first("[data-dialog=share-dialog]")
    assert opener is not None and opener.attributes["href"].endswith("/share")
    assert detail.css_first("dialog#share-dialog") is not None
    # Someone else's panel: 404 for a stranger.
    client.cookies.clear()
    await signed_in(client, "stranger@example.com")
    client.cookies.clear()
    await sign_in_page(client, "stranger@example.com")
    assert (await client.get(f"/content/{content_id}/share")).status_code == 404


async def test_when_access_ends_notes_stay_and_are_marked_unavailable(client, services):
    from learningos.models.learning import UserNote

    owner, content_id, concepts = await setup_item(client, services, visibility="shared")
    friend = bearer(await signed_in(client, "friend@example.com"))
    invite = {"email": "friend@example.com"}
    await client.post(f"/api/v1/content/{content_id}/share", json=invite, headers=owner)
    friend_id = await user_id_of(services, "friend@example.com")
    async with services.db.transaction() as session:
        session.add(
            UserNote(
                user_id=friend_id, concept_id=concepts[0], content_id=content_id,
                concept_title="Mean", content="My own words on the mean",
            )
        )  # fmt: skip

    async def listed() -> list[dict]:
        response = await client.get("/api/v1/notes", headers=friend)
        assert response.status_code == 200
        return response.json()

    assert [n["available"] for n in await listed()] == [True]
    entries = (await client.get(f"/api/v1/content/{content_id}/access", headers=owner)).json()
    invitation = next(e for e in entries if e["how"] == "invitation")
    revoke = f"/api/v1/content/{content_id}/access/{invitation['id']}"
    assert (await client.delete(revoke, headers=owner)).status_code == 204
    assert (await client.get(f"/api/v1/content/{content_id}", headers=friend)).status_code == 404
    notes = await listed()
    assert [(n["content"], n["available"]) for n in notes] == [("My own words on the mean", False)]
    # The note itself is still the learner's to read; the owner never sees it.
    mine = await client.get(f"/api/v1/notes/{concepts[0]}", headers=friend)
    assert mine.status_code == 200 and mine.json()["content"] == "My own words on the mean"
    assert (await client.get(f"/api/v1/notes/{concepts[0]}", headers=owner)).status_code == 404
    # Invited again, the same note is available again.
    await client.post(f"/api/v1/content/{content_id}/share", json=invite, headers=owner)
    assert [n["available"] for n in await listed()] == [True]


async def test_dashboard_does_not_offer_to_continue_an_item_no_longer_shared(client, services):
    from learningos.models.learning import LearningSession
    from tests.integration.test_pages import sign_in_page

    owner, content_id, concepts = await setup_item(client, services, visibility="shared")
    await signed_in(client, "friend@example.com")
    friend_id = await user_id_of(services, "friend@example.com")
    async with services.db.transaction() as session:
        session.add(ContentAccess(content_id=content_id, user_id=friend_id, access_type="shared"))
        session.add(
            LearningSession(user_id=friend_id, content_id=content_id, concept_id=concepts[0])
        )
    client.cookies.clear()
    await sign_in_page(client, "friend@example.com")
    assert f"/learn/{content_id}" in (await client.get("/dashboard")).text
    async with services.db.transaction() as session:
        await session.execute(update(ContentAccess).values(revoked_at=utcnow()))
    assert f"/learn/{content_id}" not in (await client.get("/dashboard")).text


async def test_a_link_opened_on_a_public_item_keeps_access_when_it_becomes_shared(client, services):
    owner, content_id, _ = await setup_item(client, services, visibility="public")
    link = (await client.post(f"/api/v1/content/{content_id}/share-links", headers=owner)).json()
    code = link["url"].rsplit("/s/", 1)[1]
    reader = bearer(await signed_in(client, "reader@example.com"))
    stranger = bearer(await signed_in(client, "stranger@example.com"))
    accepted = await client.post(f"/api/v1/share-links/{code}/accept", headers=reader)
    assert accepted.status_code == 200
    # The owner opening their own link changes nothing.
    assert (
        await client.post(f"/api/v1/share-links/{code}/accept", headers=owner)
    ).status_code == 200
    vis = f"/api/v1/content/{content_id}/visibility"
    assert (
        await client.patch(vis, json={"visibility": "shared"}, headers=owner)
    ).status_code == 200
    item = f"/api/v1/content/{content_id}"
    assert (await client.get(item, headers=reader)).status_code == 200
    assert (await client.get(item, headers=stranger)).status_code == 404
    links = (await client.get(f"{item}/share-links", headers=owner)).json()
    assert links[0]["use_count"] == 1
