"""The learning page as a learner meets it, on a desktop and a phone-sized screen, with a
six-concept course: nothing the learner types is lost or filed under the wrong concept.

start at concept 3 from the map → explain it with an expired access token (renewed silently)
→ focus on the examiner's message → a note typed just before "Continue" is saved under
concept 3 → after "Continue" the whole page is on concept 4 (the next in map order), and so is
the next note → a send that fails keeps the text (box and local storage, also over a reload)
→ a stale second tab says what happened, keeps its text and is brought up to date → signing
out leaves no draft behind (Back after signing out: test_history.py).

Screenshots: test-artifacts/screenshots/<viewport>/learn-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import OpenTab
from tests.browser.harness import VIEWPORTS, Tab, expect
from tests.browser.live import PASSWORD, LiveServer, api, upload_file, wait_processed
from tests.browser.test_journey import show_panel

if TYPE_CHECKING:
    from playwright.async_api import Page, Route

COURSE = Path(__file__).parents[1] / "fakes" / "six_concepts.md"
THIRD = "Inflation"
FOURTH = "Risk and return"
# Close to the material, so the offline examiner passes it (the coach says "Next concept").
INFLATION = (
    "Inflation is the rise of prices over time. When prices rise by 3 percent a year, cash buys "
    "less each year, so savings earning less than inflation lose value in real terms. The real "
    "return is the return minus inflation, and central banks aim for about 2 percent."
)
RISK = (
    "Risk is the chance that an investment loses value. Shares have higher expected returns "
    "than savings accounts but more risk: a share can fall by a third in a bad year."
)
STALE_TEXT = "Written in the second tab: risk means an investment can lose value."
NOTE_THIRD = "Real return = return minus inflation."
NOTE_FOURTH = "Higher expected return comes with more risk."
AI_TIMEOUT_MS = 60_000


def seed(server: LiveServer, viewport: str) -> dict[str, Any]:
    email = f"learnpage-{viewport}@example.com"
    api(
        server.url,
        "POST",
        "/api/v1/auth/register",
        {"name": "Lee", "email": email, "password": PASSWORD},
    )
    token = api(server.url, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})[
        "access_token"
    ]
    content_id = upload_file(server.url, token, COURSE, "Saving and investing")
    wait_processed(server.url, token, content_id)
    course = api(server.url, "GET", f"/api/v1/content/{content_id}/map", token=token)
    ids = {c["title"]: c["id"] for c in course["concepts"]}
    titles = [c["title"] for c in course["concepts"]]
    assert titles[2:4] == [THIRD, FOURTH], titles
    return {"email": email, "token": token, "content_id": content_id, "ids": ids}


async def sign_in(tab: Tab, email: str) -> None:
    page = tab.page
    await tab.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url("**/dashboard")


def note_of(server: LiveServer, token: str, concept_id: str) -> str | None:
    try:
        return str(api(server.url, "GET", f"/api/v1/notes/{concept_id}", token=token)["content"])
    except RuntimeError as exc:
        if " 404 " in str(exc):
            return None
        raise


async def focused(page: Page) -> dict[str, Any]:
    return await page.evaluate(
        """() => { const el = document.activeElement;
                   return {tag: el.tagName, id: el.id, label: el.getAttribute('aria-label'),
                           message: el.getAttribute('data-message-id'),
                           text: (el.textContent || '').trim().slice(0, 200)}; }"""
    )


async def announced(page: Page, pattern: str) -> None:
    await expect(page.locator("#sr-announcer")).to_contain_text(re.compile(pattern))


async def expect_error_toast(page: Page, words: str) -> None:
    toast = page.locator("#toast-region [data-toast]").filter(has_text=re.compile(words))
    await expect(toast.first).to_be_visible()
    await expect(toast.first).to_have_class(re.compile(r"\btoast-error\b"))
    await expect(toast.first.locator(".toast-icon-error")).to_be_visible()
    await expect(toast.first.locator(".toast-icon-ok")).to_be_hidden()


async def draft_of(page: Page, prefix: str) -> list[str]:
    return await page.evaluate(
        """(prefix) => Object.keys(localStorage).filter((k) => k.startsWith(prefix))
                         .map((k) => localStorage.getItem(k))""",
        "lo-draft:" + prefix,
    )


async def page_is_on(tab: Tab, title: str) -> None:
    """Everything beside the chat names the concept being taught."""
    page = tab.page
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    await show_panel(tab, "Content")
    await expect(page.locator("#concept-panel [data-concept-name]")).to_have_text(title)
    await expect(page.locator("#concept-panel [aria-current=step]")).to_contain_text(title)
    await show_panel(tab, "Notes")
    await expect(page.get_by_label(f"Notes on “{title}”")).to_be_visible()
    await show_panel(tab, "Chat")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_learn_page_keeps_work_and_follows_the_concept(
    viewport: str, open_tab: OpenTab, live_server: LiveServer
) -> None:
    seeded = seed(live_server, viewport)
    token, ids = seeded["token"], seeded["ids"]
    tab = await open_tab(viewport)
    page = tab.page
    await sign_in(tab, seeded["email"])

    # --- private pages are never cached ----------------------------------------------------
    response = await page.goto(f"/content/{seeded['content_id']}")
    assert response is not None and "no-store" in (response.headers.get("cache-control") or "")
    await tab.settle()

    # --- start at concept 3 from the map -----------------------------------------------------
    async with page.expect_navigation():
        chosen = f"form:has(input[name=concept_id][value='{ids[THIRD]}']) button"
        await page.locator(chosen).click()
    await tab.settle()
    await page_is_on(tab, THIRD)
    tutor = page.get_by_role("article", name="Tutor")
    await expect(tutor.first).to_be_visible(timeout=AI_TIMEOUT_MS)
    await expect(tutor.first.get_by_role("listitem").first).to_be_visible()  # a real list

    # --- an expired access token: renewed silently, the explanation goes through ------------
    await tab.context.add_cookies(
        [
            {
                "name": "lo_access",
                "value": "expired.token.value",
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    statuses: list[int] = []
    page.on(
        "response",
        lambda r: statuses.append(r.status) if r.url.endswith("/interact/stream") else None,
    )
    message = page.get_by_label(re.compile("Explain it in your own words"))
    await message.fill(INFLATION)
    await page.get_by_role("button", name="Send explanation").click()
    examiner = page.get_by_role("article", name="Examiner")
    await expect(examiner).to_be_visible(timeout=AI_TIMEOUT_MS)
    assert statuses[:2] == [401, 200], statuses
    await expect(page.locator("#toast-region [data-toast]")).to_have_count(0)
    coach = page.get_by_role("article", name="Coach")
    await expect(coach).to_contain_text("Next concept")
    # Focus on the first new message, and it is read out.
    where = await focused(page)
    assert where["label"] == "Examiner" and where["message"], where
    await announced(page, r"Examiner: confidence \d+%")
    assert await draft_of(page, "message:") == [], "a sent explanation stays in local storage"
    await tab.screenshot("learn-01-examined")

    # --- a note typed just before "Continue" is saved under the concept it was typed beside --
    await show_panel(tab, "Notes")
    await page.get_by_label(f"Notes on “{THIRD}”").fill(NOTE_THIRD)
    await show_panel(tab, "Chat")
    await page.get_by_role("button", name="Continue").click()
    await expect(tutor).to_have_count(2, timeout=AI_TIMEOUT_MS)

    # --- the whole page follows the concept being taught: the next one in map order ---------
    where = await focused(page)
    assert where["label"] == "Tutor" and FOURTH in where["text"], where
    await announced(page, "The tutor replied")
    await page_is_on(tab, FOURTH)
    # Nothing about concept 3 stays under concept 4: no adaptation line, no skip offer, and
    # the confidence shown is not concept 3's.
    await expect(page.get_by_text(f"You explained “{THIRD}”")).to_have_count(0)
    await expect(page.get_by_role("button", name="Skip the easy concepts")).to_have_count(0)
    await expect(page.locator("[data-concept-confidence]")).to_have_count(0)
    for _ in range(50):
        if note_of(live_server, token, ids[THIRD]) == NOTE_THIRD:
            break
        await page.wait_for_timeout(200)
    assert note_of(live_server, token, ids[THIRD]) == NOTE_THIRD
    await show_panel(tab, "Notes")
    note = page.get_by_label(f"Notes on “{FOURTH}”")
    await expect(note).to_have_value("")
    await note.fill(NOTE_FOURTH)
    await expect(page.locator("#note-feedback")).to_contain_text(
        "Saved · version 1", timeout=20_000
    )
    assert note_of(live_server, token, ids[FOURTH]) == NOTE_FOURTH
    assert note_of(live_server, token, ids[THIRD]) == NOTE_THIRD
    await show_panel(tab, "Chat")
    await tab.screenshot("learn-02-next-concept")

    # --- a send that fails keeps the text, in the box and in local storage ------------------
    async def offline(route: Route) -> None:
        await route.abort("internetdisconnected")

    await page.route("**/api/v1/session/interact/stream", offline)
    message = page.get_by_label(re.compile("Explain it in your own words"))
    await message.fill(RISK)
    await message.press("Enter")
    await expect_error_toast(page, "Could not reach the server")
    await expect(message).to_have_value(RISK)
    assert await draft_of(page, "message:") == [RISK]
    await page.unroute("**/api/v1/session/interact/stream", offline)
    await tab.goto(f"/learn/{seeded['content_id']}")
    await show_panel(tab, "Chat")
    message = page.get_by_label(re.compile("Explain it in your own words"))
    await expect(message).to_have_value(RISK)  # back after a reload

    # --- a stale second tab: told what happened, text kept, brought up to date --------------
    other = await tab.context.new_page()
    other.on("console", tab._on_console)
    second = Tab(tab.context, other, tab.base, viewport)
    await second.goto(f"/learn/{seeded['content_id']}")
    await show_panel(second, "Chat")
    await page.get_by_role("button", name="Send explanation").click()
    await expect(examiner).to_have_count(2, timeout=AI_TIMEOUT_MS)
    assert await draft_of(page, "message:") == []

    box = other.get_by_label(re.compile("Explain it in your own words"))
    await box.fill(STALE_TEXT)
    await other.get_by_role("button", name="Send explanation").click()
    await expect_error_toast(other, "moved on in another tab")
    await expect(other.get_by_role("article", name="Examiner")).to_have_count(2)  # up to date
    still_in_box = other.get_by_label(re.compile("Explain it in your own words"))
    kept = other.locator("[data-kept-text]")
    if await still_in_box.count():
        await expect(still_in_box).to_have_value(STALE_TEXT)
    else:
        await expect(kept).to_contain_text(STALE_TEXT)
    assert STALE_TEXT in await draft_of(other, "message:")
    await second.screenshot("learn-03-stale-tab")
    await other.close()

    # --- the JSON API is never cached; signing out leaves no draft on the device -----------
    response = await page.request.get(f"/api/v1/session/{seeded['content_id']}")
    assert "no-store" in (response.headers.get("cache-control") or "")
    await tab.goto("/dashboard")
    sign_out = page.get_by_role("button", name="Sign out")
    await sign_out.click()
    await page.wait_for_url(re.compile(r"/login"))
    await tab.settle()
    assert await draft_of(page, "") == [], "signing out leaves no draft on the device"
    # Back/Forward with the browser cache on: tests/browser/test_history.py.

    tab.assert_clean(allow_console=[r"status of 40[19]", r"ERR_INTERNET_DISCONNECTED"])


async def expire_access(tab: Tab, base: str) -> None:
    await tab.context.add_cookies(
        [
            {
                "name": "lo_access",
                "value": "expired.token.value",
                "url": base,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_notes_and_the_ask_box_keep_their_text_until_sent(
    viewport: str, open_tab: OpenTab, live_server: LiveServer
) -> None:
    seeded = seed(live_server, f"{viewport}-boxes")
    token, content_id = seeded["token"], seeded["content_id"]
    tab = await open_tab(viewport)
    page = tab.page
    await sign_in(tab, seeded["email"])

    # --- "Ask your material": an expired access token is renewed, the question answered -----
    await tab.goto(f"/content/{content_id}")
    await expire_access(tab, live_server.url)
    ask = page.get_by_role("textbox", name="Ask your material")
    await ask.fill("What is inflation?")
    await page.get_by_role("button", name="Ask", exact=True).click()
    await expect(page.get_by_role("article", name="The tutor’s answer")).to_be_visible()
    assert await draft_of(page, "ask:") == []

    # --- a failed question stays in the box and in local storage, also over a reload --------
    async def offline(route: Route) -> None:
        await route.abort("internetdisconnected")

    await page.route("**/ask", offline)
    await ask.fill("Why does diversification lower risk?")
    await page.get_by_role("button", name="Ask", exact=True).click()
    await expect_error_toast(page, "Could not reach the server")
    await expect(ask).to_have_value("Why does diversification lower risk?")
    await page.unroute("**/ask", offline)
    await tab.goto(f"/content/{content_id}")
    await expect(page.get_by_role("textbox", name="Ask your material")).to_have_value(
        "Why does diversification lower risk?"
    )

    # --- signed out meanwhile (no cookie left): one error toast, in the server's words -----
    saved_cookies = await tab.context.cookies()
    await tab.context.clear_cookies(name=re.compile(r"^lo_(access|refresh)$"))
    await page.get_by_role("textbox", name="Ask your material").fill("What is a pension?")
    await page.get_by_role("button", name="Ask", exact=True).click()
    await expect_error_toast(page, "Sign in to continue")
    await expect(page.locator("#toast-region [data-toast]:not([data-leaving])")).to_have_count(1)
    await expect(page.get_by_role("textbox", name="Ask your material")).to_have_value(
        "What is a pension?"
    )
    await tab.context.add_cookies(saved_cookies)  # type: ignore[arg-type]

    # --- a note that cannot be saved is kept and saved once it can --------------------------
    await page.get_by_role("link", name="Learn this material").click()
    async with page.expect_navigation():
        await page.get_by_role("button", name="Start learning").click()
    await tab.settle()
    first = next(iter(seeded["ids"].items()))
    await page.route("**/note", offline)
    await show_panel(tab, "Notes")
    note = page.get_by_label(f"Notes on “{first[0]}”")
    await note.fill(NOTE_THIRD)
    await expect_error_toast(page, "Could not reach the server")
    assert await draft_of(page, "note:") == [NOTE_THIRD]
    await page.unroute("**/note", offline)
    await expire_access(tab, live_server.url)
    await tab.goto(f"/learn/{content_id}")
    await show_panel(tab, "Notes")
    await expect(page.get_by_label(f"Notes on “{first[0]}”")).to_have_value(NOTE_THIRD)
    await expect(page.locator("#note-feedback")).to_contain_text(
        "Saved · version 1", timeout=20_000
    )
    assert note_of(live_server, token, first[1]) == NOTE_THIRD
    assert await draft_of(page, "note:") == []

    # --- Pause and Resume: the focus goes to the next action, not to <body> ---------------
    await show_panel(tab, "Chat")
    await page.get_by_role("button", name="Pause").click()
    await expect(page.get_by_role("button", name="Resume")).to_be_focused()
    await page.get_by_role("button", name="Resume").click()
    await expect(page.get_by_label(re.compile("Explain it in your own words"))).to_be_focused()

    # htmx logs a request the network refused; that is this test's own doing.
    tab.assert_clean(
        allow_console=[
            r"ERR_INTERNET_DISCONNECTED",
            r"^htmx:(afterRequest|sendError)",
            r"status of 401",
            r"Response Status Error Code 401",
        ]
    )
