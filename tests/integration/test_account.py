"""The account: /api/v1/users/me (profile, preferences, password, picture), the settings page
(tabs, forms without JavaScript, the admin AI tab, access), and the reminder and summary emails
that only go to learners who kept them on."""

from __future__ import annotations

import struct
import uuid
import zlib
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from learningos.account import tasks
from learningos.account.images import sniff_image
from learningos.kit.db import utcnow
from learningos.kit.errors import UnsupportedMedia, ValidationFailed
from learningos.models.user import User
from learningos.services import Services
from tests.conftest import PASSWORD, bearer, login, register, signed_in
from tests.integration.test_cli import run as run_cli
from tests.integration.test_pages import HTMX, csrf_of, html, sign_in_page
from tests.integration.test_review import add_course, add_user, evaluate

NEW_PASSWORD = "a violin under the stairs"


def png(width: int = 2, height: int = 2) -> bytes:
    """A real, tiny PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    rows = b"".join(b"\x00" + b"\x63\x66\xf1" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jpeg_header(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xda" + b"\x00" * 16


def webp_vp8x(width: int, height: int) -> bytes:
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4
    body += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return b"RIFF" + struct.pack("<I", len(body)) + body


async def make_admin(services: Services, email: str = "ann@example.com") -> None:
    async with services.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.role = "admin"  # an ORM change: the cached user is dropped on commit


def outbox(services: Services) -> list:  # type: ignore[type-arg]
    folder: Path = services.settings.outbox_dir
    return [message_from_bytes(p.read_bytes()) for p in sorted(folder.glob("*.eml"))]


def body_of(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_payload(decode=True).decode()


# -- the picture check, from the bytes ---------------------------------------------------------


def test_images_are_recognised_from_their_bytes() -> None:
    assert sniff_image(png(3, 5)) == sniff_image(png(3, 5))
    info = sniff_image(png(3, 5))
    assert (info.kind, info.width, info.height, info.media_type) == ("png", 3, 5, "image/png")
    info = sniff_image(jpeg_header(640, 480))
    assert (info.kind, info.extension, info.width, info.height) == ("jpeg", "jpg", 640, 480)
    info = sniff_image(webp_vp8x(300, 200))
    assert (info.kind, info.width, info.height) == ("webp", 300, 200)
    for bad in (b"hello, I am text\n" * 10, b"%PDF-1.7\n", png()[:20], jpeg_header(0, 10)):
        with pytest.raises(UnsupportedMedia):
            sniff_image(bad)
    with pytest.raises(UnsupportedMedia):
        sniff_image(png(20_000, 10))  # a crafted header, not a photo
    with pytest.raises(ValidationFailed):
        sniff_image(b"")


# -- the JSON API ------------------------------------------------------------------------------


async def test_profile_and_preferences_update_with_validation(client):  # type: ignore[no-untyped-def]
    tokens = await signed_in(client)
    me = await client.get("/api/v1/users/me", headers=bearer(tokens))
    assert me.status_code == 200, me.text
    body = me.json()
    assert (body["name"], body["email"], body["timezone"], body["avatar_url"]) == (
        "Ann Lee", "ann@example.com", "UTC", None,
    )  # fmt: skip
    assert body["learning"] == {
        "pace": "normal", "session_minutes": 30, "auto_review": True, "difficulty": "adaptive",
    }  # fmt: skip
    assert all(body["notifications"].values())

    change = {
        "name": "  Ann   Marie Lee ",
        "timezone": "Asia/Phnom_Penh",
        "learning": {"pace": "fast", "session_minutes": 45, "auto_review": False},
        "notifications": {"weekly_summary": False},
    }
    r = await client.patch("/api/v1/users/me", json=change, headers=bearer(tokens))
    assert r.status_code == 200, r.text
    again = (await client.get("/api/v1/users/me", headers=bearer(tokens))).json()
    assert again["name"] == "Ann Marie Lee" and again["timezone"] == "Asia/Phnom_Penh"
    assert again["learning"] == {
        "pace": "fast", "session_minutes": 45, "auto_review": False, "difficulty": "adaptive",
    }  # fmt: skip
    assert again["notifications"] == {
        "email_reminders": True, "review_reminders": True, "weekly_summary": False,
    }  # fmt: skip

    for bad, field in [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"learning": {"pace": "turbo"}}, "learning.pace"),
        ({"learning": {"session_minutes": 20}}, "learning.session_minutes"),
        ({"learning": {"difficulty": "hard"}}, "learning.difficulty"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"role": "admin"}, "role"),  # not a field one can set
    ]:
        r = await client.patch("/api/v1/users/me", json=bad, headers=bearer(tokens))
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["details"][0]["field"] == field, r.text
    r = await client.patch(
        "/api/v1/users/me", json={"email": "not-an-email"}, headers=bearer(tokens)
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "email"
    # Nothing of a refused update was kept.
    assert (await client.get("/api/v1/users/me", headers=bearer(tokens))).json() == again


async def test_email_change_is_normalised_and_must_be_unused(client):  # type: ignore[no-untyped-def]
    tokens = await signed_in(client)
    await register(client, email="bob@example.com", name="Bob Stone")
    r = await client.patch(
        "/api/v1/users/me",
        json={"email": " BOB@example.com", "name": "Ann"},
        headers=bearer(tokens),
    )
    assert r.status_code == 409, r.text
    error = r.json()["error"]
    assert error["code"] == "conflict" and error["details"][0]["field"] == "email"
    me = (await client.get("/api/v1/users/me", headers=bearer(tokens))).json()
    assert (me["email"], me["name"]) == ("ann@example.com", "Ann Lee")  # nothing changed

    r = await client.patch(
        "/api/v1/users/me", json={"email": "Ann.New@Example.com"}, headers=bearer(tokens)
    )
    assert r.status_code == 200 and r.json()["email"] == "ann.new@example.com"
    await login(client, email="ann.new@example.com")
    gone = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert gone.status_code == 401


async def test_password_change(client):  # type: ignore[no-untyped-def]
    tokens = await signed_in(client)
    url = "/api/v1/me/password"
    r = await client.post(
        url,
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "wrong_password"
    assert error["message"] == "The current password is incorrect."
    assert error["details"][0]["field"] == "current_password"
    r = await client.post(
        url, json={"current_password": PASSWORD, "new_password": "short"}, headers=bearer(tokens)
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "new_password"

    r = await client.post(
        url,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(tokens),
    )
    assert r.status_code == 200, r.text
    fresh = r.json()
    # Every earlier sign-in ended: its access token and its refresh token no longer work.
    assert (await client.get("/api/v1/users/me", headers=bearer(tokens))).status_code == 401
    old_refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    assert old_refresh.status_code == 401
    assert (await client.get("/api/v1/users/me", headers=bearer(fresh))).status_code == 200
    await login(client, password=NEW_PASSWORD)
    old = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert old.status_code == 401


async def test_avatar_upload_checks_the_bytes_and_the_size(client, services):  # type: ignore[no-untyped-def]
    tokens = await signed_in(client)
    url = "/api/v1/users/me/avatar"
    picture = png(4, 4)
    r = await client.post(
        url, files={"file": ("me.png", picture, "image/png")}, headers=bearer(tokens)
    )
    assert r.status_code == 200, r.text
    first = r.json()["avatar_url"]
    assert first.startswith("/avatars/") and first.endswith(".png")
    served = await client.get(first)  # served by the app itself
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.content == picture
    me = (await client.get("/api/v1/users/me", headers=bearer(tokens))).json()
    assert me["avatar_url"] == first

    text = b"<script>alert(1)</script> definitely a picture\n"
    r = await client.post(
        url, files={"file": ("me.png", text, "image/png")}, headers=bearer(tokens)
    )
    assert r.status_code == 415, r.text
    assert r.json()["error"]["details"][0]["field"] == "avatar"
    big = picture + b"\x00" * (2 * 1024 * 1024)
    r = await client.post(
        url, files={"file": ("big.png", big, "image/png")}, headers=bearer(tokens)
    )
    assert r.status_code == 413, r.text
    r = await client.post(url, files={"file": ("e.png", b"", "image/png")}, headers=bearer(tokens))
    assert r.status_code == 422
    assert (await client.get("/api/v1/users/me", headers=bearer(tokens))).json()[
        "avatar_url"
    ] == first

    r = await client.post(
        url, files={"file": ("me.jpg", jpeg_header(64, 64), "image/jpeg")}, headers=bearer(tokens)
    )
    assert r.status_code == 200
    second = r.json()["avatar_url"]
    assert second.endswith(".jpg") and second != first
    assert (await client.get(second)).headers["content-type"] == "image/jpeg"
    assert (await client.get(first)).status_code == 404  # the replaced picture is gone
    user_id = me["id"]
    stored = list((services.settings.files_dir / "avatars" / user_id).iterdir())
    assert [p.name for p in stored] == [second.rsplit("/", 1)[1]]
    assert (await client.get(f"/avatars/{user_id}/guess.jpg")).status_code == 404
    assert (await client.get(f"/avatars/{uuid.uuid4()}/x.png")).status_code == 404

    r = await client.delete(url, headers=bearer(tokens))
    assert r.status_code == 200 and r.json()["avatar_url"] is None
    assert (await client.get(second)).status_code == 404
    assert not (services.settings.files_dir / "avatars" / user_id).exists()


async def test_the_api_needs_a_sign_in(client):  # type: ignore[no-untyped-def]
    assert (await client.get("/api/v1/users/me")).status_code == 401
    assert (await client.patch("/api/v1/users/me", json={"name": "X"})).status_code == 401
    files = {"file": ("me.png", png(), "image/png")}
    assert (await client.post("/api/v1/users/me/avatar", files=files)).status_code == 401


# -- the settings page -------------------------------------------------------------------------


def assert_accessible_controls(doc) -> None:  # type: ignore[no-untyped-def]
    assert not doc.css("script:not([src])"), "no inline scripts (CSP)"
    assert not doc.css("[style]"), "no inline styles (CSP)"
    for control in doc.css("main input, main select, main textarea"):
        kind = control.attributes.get("type")
        if kind == "hidden" or "hidden" in control.attributes:
            continue
        ident = control.attributes.get("id")
        assert ident and doc.css_first(f'label[for="{ident}"]') is not None, control.html


async def test_signed_out_visitors_go_to_sign_in(client):  # type: ignore[no-untyped-def]
    r = await client.get("/settings")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/settings"
    r = await client.get("/settings?tab=notifications")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/settings%3Ftab%3Dnotifications"
    r = await client.get("/settings", headers=HTMX)
    assert r.status_code == 204 and r.headers["hx-redirect"].startswith("/login")


async def test_the_page_for_a_learner(client):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    r = await client.get("/settings")
    assert r.status_code == 200
    doc = html(r)
    assert_accessible_controls(doc)
    tabs = doc.css('nav[aria-label="Settings sections"] a')
    assert [a.text(strip=True) for a in tabs] == ["Profile", "Learning", "Notifications"]
    assert [a.attributes.get("aria-current") for a in tabs] == ["page", None, None]
    assert tabs[1].attributes["href"] == "/settings?tab=learning"
    assert doc.css_first("input#name").attributes["value"] == "Ann Lee"
    assert doc.css_first("input#email").attributes["value"] == "ann@example.com"
    assert doc.css_first("select#timezone option[selected]").attributes["value"] == "UTC"
    assert doc.css_first('input#avatar[type="file"]').attributes["accept"] == (
        "image/png,image/jpeg,image/webp"
    )
    assert doc.css_first("input#current_password") is not None
    assert doc.css_first('a[aria-current="page"][href="/settings"]') is not None  # sidebar

    for tab in ("learning", "notifications"):
        page = await client.get(f"/settings?tab={tab}")
        assert page.status_code == 200
        doc = html(page)
        assert_accessible_controls(doc)
        current = doc.css_first('nav[aria-label="Settings sections"] a[aria-current="page"]')
        assert current.attributes["href"] == f"/settings?tab={tab}"
    fragment = await client.get("/settings?tab=learning", headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'name="pace"' in fragment.text

    assert (await client.get("/settings?tab=ai")).status_code == 403
    assert (
        await client.get("/settings?tab=ai", headers={"Accept": "application/json"})
    ).status_code == 403
    assert (await client.get("/settings?tab=billing")).status_code == 404


async def test_the_ai_tab_for_an_admin(client, services):  # type: ignore[no-untyped-def]
    await register(client)
    await make_admin(services)
    await sign_in_page(client)
    doc = html(await client.get("/settings"))
    tabs = doc.css('nav[aria-label="Settings sections"] a')
    assert [a.text(strip=True) for a in tabs][-1].startswith("AI")
    r = await client.get("/settings?tab=ai")
    assert r.status_code == 200
    doc = html(r)
    assert_accessible_controls(doc)
    text = doc.css_first("main").text(separator=" ")
    for role in ("Planner", "Tutor", "Examiner", "Coach", "Reviewer", "Note feedback"):
        assert role in text
    assert "Offline engine" in text and "Available" in text
    assert "The only engine" in text  # no provider keys in the tests
    assert "all-MiniLM-L6-v2" in text
    checks = doc.css_first("#engine-checks").text(separator=" ")
    assert "says the opposite of one of them" in checks and "uncertain" in checks
    for provider in (
        "LEARNINGOS_OPENAI_API_KEY",
        "LEARNINGOS_DEEPSEEK_API_KEY",
        "Ollama",
        "llama.cpp",
    ):
        assert provider in checks


async def test_preferences_are_saved_and_shown(client):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    token = csrf_of(html(await client.get("/settings?tab=learning")))
    form = {"pace": "slow", "session_minutes": "15", "difficulty": "fixed", "csrf_token": token}
    r = await client.post("/settings/learning", data=form)  # auto_review unticked
    assert r.status_code == 303 and r.headers["location"] == "/settings?tab=learning"
    page = await client.get(r.headers["location"])
    doc = html(page)
    assert "Your learning preferences were saved." in doc.css_first("#toast-region").text()
    assert "checked" in doc.css_first("input#pace-slow").attributes
    assert "checked" not in doc.css_first("input#pace-normal").attributes
    assert "checked" in doc.css_first("input#session_minutes-15").attributes
    assert "checked" in doc.css_first("input#difficulty-fixed").attributes
    assert "checked" not in doc.css_first("input#auto_review").attributes
    again = await client.get("/settings?tab=learning")
    assert "was saved" not in html(again).css_first("#toast-region").text()  # shown once

    bad = {**form, "pace": "warp"}
    r = await client.post("/settings/learning", data=bad)
    assert r.status_code == 400
    doc = html(r)
    assert doc.css_first("#pace-error") is not None
    assert doc.css_first("input#pace-slow").attributes.get("aria-invalid") == "true"

    form = {"email_reminders": "on", "weekly_summary": "on", "csrf_token": token}
    r = await client.post("/settings/notifications", data=form)
    assert r.status_code == 303 and r.headers["location"] == "/settings?tab=notifications"
    doc = html(await client.get(r.headers["location"]))
    assert "checked" in doc.css_first("input#email_reminders").attributes
    assert "checked" not in doc.css_first("input#review_reminders").attributes
    assert "checked" in doc.css_first("input#weekly_summary").attributes

    api = await client.get("/api/v1/users/me")  # the same preferences, through the API
    body = api.json()
    assert body["learning"] == {
        "pace": "slow", "session_minutes": 15, "auto_review": False, "difficulty": "fixed",
    }  # fmt: skip
    assert body["notifications"] == {
        "email_reminders": True, "review_reminders": False, "weekly_summary": True,
    }  # fmt: skip


async def test_the_profile_form(client):  # type: ignore[no-untyped-def]
    await register(client, email="bob@example.com", name="Bob Stone")
    await register(client)
    await sign_in_page(client)
    token = csrf_of(html(await client.get("/settings")))
    form = {"name": "Ann B. Lee", "email": "nope", "timezone": "Europe/Paris", "csrf_token": token}
    r = await client.post("/settings/profile", data=form)
    assert r.status_code == 400
    doc = html(r)
    assert doc.css_first("input#email").attributes.get("aria-invalid") == "true"
    assert "valid email" in doc.css_first("#email-error").text()
    assert doc.css_first("input#name").attributes["value"] == "Ann B. Lee"  # kept as typed
    assert doc.css_first("select#timezone option[selected]").attributes["value"] == "Europe/Paris"

    r = await client.post("/settings/profile", data={**form, "email": "bob@example.com"})
    assert r.status_code == 400
    assert "already uses this email" in html(r).css_first("#email-error").text()

    r = await client.post("/settings/profile", data={**form, "timezone": "Nowhere/Land"})
    assert r.status_code == 400 and html(r).css_first("#timezone-error") is not None

    r = await client.post("/settings/profile", data={**form, "email": "ann@example.com"})
    assert r.status_code == 303 and r.headers["location"] == "/settings"
    doc = html(await client.get("/settings"))
    assert "Your profile was saved." in doc.css_first("#toast-region").text()
    assert doc.css_first("input#name").attributes["value"] == "Ann B. Lee"
    assert doc.css_first("select#timezone option[selected]").attributes["value"] == "Europe/Paris"

    r = await client.post("/settings/profile", data={**form, "csrf_token": "forged"})
    assert r.status_code == 403


async def test_the_password_form(client):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    token = csrf_of(html(await client.get("/settings")))
    form = {
        "current_password": "not my password",
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
        "csrf_token": token,
    }
    r = await client.post("/settings/password", data=form)
    assert r.status_code == 400
    doc = html(r)
    assert "current password is incorrect" in doc.css_first("#current_password-error").text()
    assert doc.css_first("input#current_password").attributes.get("aria-invalid") == "true"
    r = await client.post(
        "/settings/password",
        data={**form, "current_password": PASSWORD, "new_password_confirm": "something else"},
    )
    assert r.status_code == 400 and html(r).css_first("#new_password_confirm-error") is not None

    r = await client.post("/settings/password", data={**form, "current_password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/settings"
    page = await client.get("/settings")  # still signed in here, with the new cookies
    assert page.status_code == 200
    assert "Your password was changed." in html(page).css_first("#toast-region").text()
    await login(client, password=NEW_PASSWORD)
    old = await client.post(
        "/api/v1/auth/login", json={"email": "ann@example.com", "password": PASSWORD}
    )
    assert old.status_code == 401


async def test_the_photo_form_and_the_sidebar(client):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    token = csrf_of(html(await client.get("/settings")))
    files = {"avatar": ("notes.png", b"just some text, renamed\n", "image/png")}
    r = await client.post("/settings/avatar", data={"csrf_token": token}, files=files)
    assert r.status_code == 415
    doc = html(r)
    assert "not a PNG, JPEG or WebP" in doc.css_first("#avatar-error").text()

    files = {"avatar": ("me.png", png(8, 8), "image/png")}
    r = await client.post("/settings/avatar", data={"csrf_token": token}, files=files)
    assert r.status_code == 303
    doc = html(await client.get("/settings"))
    assert "Your photo was updated." in doc.css_first("#toast-region").text()
    src = doc.css_first("aside img.avatar").attributes["src"]  # the sidebar shows it
    assert src.startswith("/avatars/") and (await client.get(src)).status_code == 200
    assert doc.css_first('img[alt="Your current photo"]').attributes["src"] == src

    r = await client.post("/settings/avatar/remove", data={"csrf_token": token})
    assert r.status_code == 303
    doc = html(await client.get("/settings"))
    assert doc.css_first("aside img.avatar") is None
    assert doc.css_first("aside span.avatar").text(strip=True) == "A"


# -- reminder and summary emails ---------------------------------------------------------------


async def learner(services: Services, name: str, **switches: bool) -> User:
    user = await add_user(services, name, tz="UTC")
    if switches:
        async with services.db.transaction() as session:
            row = await session.get(User, user.id)
            assert row is not None
            row.preferences = {
                **row.preferences,
                "notifications": {**row.preferences["notifications"], **switches},
            }
        user = row
    return user


async def due_concept(services: Services, user: User, title: str) -> None:
    [concept] = await add_course(services, user, f"{user.name}'s course", title)
    now = utcnow()
    await evaluate(
        services, user, concept, (now - timedelta(days=2), 0.4), due_at=now - timedelta(hours=1)
    )


async def test_review_reminders_only_for_learners_who_kept_them_on(services):  # type: ignore[no-untyped-def]
    keen = await learner(services, "Keen")
    await due_concept(services, keen, "Compound interest")
    no_reviews = await learner(services, "Quiet", review_reminders=False)
    await due_concept(services, no_reviews, "Inflation")
    no_email = await learner(services, "Offline", email_reminders=False)
    await due_concept(services, no_email, "Risk")
    await learner(services, "Idle")  # wants them, nothing due: no email

    result = await tasks.notify(services, "reviews")
    assert (result.sent, result.skipped, result.failed) == (1, 1, 0)
    [message] = outbox(services)
    assert message["To"] == keen.email
    assert message["Subject"] == "1 concept is ready for review"
    text = body_of(message)
    assert "Hi Keen" in text and "Compound interest (Keen's course)" in text
    assert "/settings?tab=notifications" in text

    again = await tasks.notify(services, "reviews")  # cron again the same day: nothing new
    assert (again.sent, again.skipped, again.failed) == (0, 0, 0)
    assert len(outbox(services)) == 1


async def test_a_switch_turned_off_after_queueing_wins(services):  # type: ignore[no-untyped-def]
    keen = await learner(services, "Keen")
    await due_concept(services, keen, "Diversification")
    async with services.db.transaction() as session:
        [job_id] = await tasks.enqueue(session, services, tasks.KINDS["reviews"], utcnow())
        services.queue.discard_pending(session)
        row = await session.get(User, keen.id)
        assert row is not None
        row.preferences = {**row.preferences, "notifications": {"email_reminders": False}}
    await services.queue.run(job_id)
    assert outbox(services) == []


async def test_weekly_summary_only_for_learners_who_kept_it_on(services):  # type: ignore[no-untyped-def]
    keen = await learner(services, "Keen")
    await due_concept(services, keen, "Budgeting")
    no_weekly = await learner(services, "Busy", weekly_summary=False)
    await due_concept(services, no_weekly, "Saving")
    no_email = await learner(services, "Offline", email_reminders=False)
    await due_concept(services, no_email, "Bonds")

    result = await tasks.notify(services, "weekly")
    assert (result.sent, result.failed) == (1, 0)
    [message] = outbox(services)
    assert message["To"] == keen.email and message["Subject"] == "Your week in Learning OS"
    text = body_of(message)
    assert "Concepts practised: 1" in text and "Budgeting" in text
    assert (await tasks.notify(services, "weekly")).sent == 0


async def test_local_hour_keeps_learners_whose_morning_it_is(services):  # type: ignore[no-untyped-def]
    keen = await learner(services, "Keen")
    await due_concept(services, keen, "Compound interest")
    other_hour = (utcnow().hour + 12) % 24
    assert (await tasks.notify(services, "reviews", local_hour=other_hour)).job_ids == []
    assert (await tasks.notify(services, "reviews", local_hour=utcnow().hour)).sent == 1


def test_the_notify_command(tmp_path):  # type: ignore[no-untyped-def]
    for args in (["notify", "--help"], ["--help"]):
        result = run_cli(args, tmp_path)
        assert result.returncode == 0, result.stderr
        assert "notify" in result.stdout
    assert "--local-hour" in run_cli(["notify", "--help"], tmp_path).stdout
    result = run_cli(["notify", "reviews"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "reviews: 0 sent" in result.stdout
    assert run_cli(["notify", "monthly"], tmp_path).returncode != 0
