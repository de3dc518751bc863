"""The main journey, through the real UI, on a desktop and a phone-sized screen:

register → upload a real PDF → watch processing finish → open the map → learn a concept
(tutor, a question to the tutor streamed back, explain back, examiner, coach) → write a note
(auto-saved) → see the progress page change → sign out.

Screenshots of each step: test-artifacts/screenshots/<viewport>/journey-*.png.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import OpenTab
from tests.browser.harness import VIEWPORTS, Tab, expect
from tests.browser.live import PASSWORD, SAMPLE_PDF

if TYPE_CHECKING:
    from playwright.async_api import Route

EMPTY_PROGRESS = re.compile("Learn your first concept")
EXPLANATION = (
    "The material is a list of principles for writing code. Code should be beautiful, explicit "
    "and simple rather than ugly, implicit or complex, and readability counts. Errors should not "
    "pass silently, and if an implementation is hard to explain it is probably a bad idea."
)
QUESTION = "What does the material say about errors?"
NOTE = "Explicit is better than implicit. Errors should never pass silently unless silenced."
COACH_DECISIONS = re.compile(r"Next concept|Practise first|Review this concept")
PROCESSING_TIMEOUT_MS = 120_000
AI_TIMEOUT_MS = 60_000

# Records whether the live tutor bubble (#stream-live) was shown with text while a reply
# streamed in (it is replaced by the saved panel right after).
WATCH_STREAM = """() => {
  window.__streamed = '';
  const live = document.getElementById('stream-live');
  if (!live) return false;
  new MutationObserver(() => {
    if (!live.hidden && live.textContent.trim()) window.__streamed = live.textContent.trim();
  }).observe(live, {attributes: true, childList: true, subtree: true, characterData: true});
  return true;
}"""


async def main_nav_link(tab: Tab, name: str) -> None:
    """Follow a link of the app's main navigation: the sidebar on desktop, the bottom tab bar
    on phones (only the visible one is in the accessibility tree)."""
    nav = tab.page.get_by_role("navigation", name="Main")
    await expect(nav).to_have_count(1)
    await nav.get_by_role("link", name=name, exact=True).click()
    await tab.page.wait_for_load_state("load")
    await tab.settle()


async def show_panel(tab: Tab, name: str) -> None:
    """On the learn page, phones show one column at a time behind tabs (content / chat /
    notes); select the tab when there is one. Wider, all columns show and there is none."""
    tabs = tab.page.get_by_role("tab", name=name)
    if await tabs.count() and await tabs.first.is_visible():
        await tabs.first.click()
        await expect(tabs.first).to_have_attribute("aria-selected", "true")


async def check_shell(tab: Tab) -> None:
    """Desktop: the sidebar, no bottom bar. Phone: the bottom bar at the bottom, no sidebar."""
    page = tab.page
    sidebar = page.get_by_role("complementary", name="Sidebar")
    bottom = page.locator("nav[aria-label='Main']").last
    if tab.viewport == "phone":
        await expect(sidebar).to_be_hidden()
        await expect(bottom).to_be_visible()
        box = await bottom.bounding_box()
        assert box is not None
        viewport = page.viewport_size
        assert viewport is not None
        assert abs(box["y"] + box["height"] - viewport["height"]) <= 2, box
        links = bottom.get_by_role("link")
        for i in range(await links.count()):
            link_box = await links.nth(i).bounding_box()
            assert link_box is not None and link_box["height"] >= 44, "tap target under 44 px"
    else:
        await expect(sidebar).to_be_visible()
        await expect(page.locator("nav[aria-label='Main']").last).to_be_hidden()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_main_journey(viewport: str, open_tab: OpenTab) -> None:
    tab = await open_tab(viewport)
    page = tab.page
    email = f"journey-{viewport}@example.com"

    # --- register --------------------------------------------------------------------
    await tab.goto("/")
    await page.get_by_role("link", name="Sign up", exact=True).click()
    await page.wait_for_url("**/register")
    await page.get_by_label("Full name").fill("Jo Journey")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_label("Confirm password").fill(PASSWORD)
    await expect(page.get_by_text("Passwords match.")).to_be_visible()
    await page.get_by_role("checkbox").check()
    await tab.screenshot("journey-01-register")
    await page.get_by_role("button", name="Create account").click()
    await page.wait_for_url("**/dashboard")
    await tab.settle()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Jo Journey")
    await check_shell(tab)
    await tab.screenshot("journey-02-dashboard")
    await tab.axe("journey-02-dashboard-empty")

    # --- progress before learning: the empty state ------------------------------------
    await main_nav_link(tab, "Progress")
    await expect(page).to_have_url(re.compile(r"/progress$"))
    await expect(page.get_by_role("heading", name=EMPTY_PROGRESS)).to_be_visible()
    progress_before = await page.locator("main").inner_text()
    await tab.screenshot("journey-03-progress-before")
    await tab.axe("journey-03-progress-empty")

    # --- upload a real PDF -------------------------------------------------------------
    await main_nav_link(tab, "Upload")
    await expect(page).to_have_url(re.compile(r"/upload$"))
    await page.locator("input[type=file]").set_input_files(SAMPLE_PDF)
    preview = page.get_by_role("group", name="File")
    await expect(preview).to_be_visible()
    await expect(preview).to_contain_text(SAMPLE_PDF.name)
    title = page.get_by_label("Title")
    await expect(title).to_have_value(SAMPLE_PDF.stem)  # prefilled from the file name
    await title.fill(f"The Zen of Python ({viewport})")
    await page.get_by_label("Description").fill("Principles for writing readable code.")
    await tab.screenshot("journey-04-upload")
    await tab.axe("journey-04-upload")
    # A warm server processes this one-page PDF in about 0.2 s, and the processing card's
    # poll answers "done" with a page reload: hold the poll while the card is looked at.
    release_poll = asyncio.Event()

    async def hold_poll(route: Route) -> None:
        await release_poll.wait()
        await route.continue_()

    await page.route(re.compile(r"/content/[0-9a-f-]{36}/status$"), hold_poll)
    await page.get_by_role("button", name="Upload & process").click()
    await page.wait_for_url(re.compile(r"/content/[0-9a-f-]{36}$"))
    content_url = page.url

    # --- watch processing finish -------------------------------------------------------
    checklist = page.get_by_role("list", name="Processing steps")
    map_heading = page.get_by_role("heading", name="Learning map", exact=True)
    await expect(checklist.or_(map_heading)).to_be_visible()
    if await checklist.is_visible():
        await expect(checklist.get_by_role("listitem")).to_have_count(5)
        await expect(
            page.get_by_role("progressbar", name="Getting your material ready")
        ).to_be_visible()
        await tab.screenshot("journey-05-processing")
        await tab.axe("journey-05-processing")
    else:  # processing had finished before the page was served
        print(f"{viewport}: processing finished before /content was shown")
    release_poll.set()
    # The card polls every second; when processing ends the page reloads with the map.
    await expect(map_heading).to_be_visible(timeout=PROCESSING_TIMEOUT_MS)
    await page.unroute(re.compile(r"/content/[0-9a-f-]{36}/status$"), hold_poll)
    await tab.settle()
    await expect(page.locator("#processing")).to_have_count(0)
    await expect(page.get_by_text("Ready", exact=True)).to_be_visible()

    # --- the learning map -----------------------------------------------------------------
    await expect(page.get_by_role("heading", name=re.compile(r"^Milestone 1:"))).to_be_visible()
    await tab.screenshot("journey-06-map")
    await page.get_by_role("link", name="Learn this material").click()
    await page.wait_for_url(re.compile(r"/learn/[0-9a-f-]{36}$"))
    assert page.url.rsplit("/", 1)[1] == content_url.rsplit("/", 1)[1]

    # --- learn: the tutor explains -------------------------------------------------------
    async with page.expect_navigation():
        await page.get_by_role("button", name="Start learning").click()
    await tab.settle()
    await show_panel(tab, "Chat")
    tutor = page.get_by_role("article").filter(has_text="Tutor")
    await expect(tutor.first).to_be_visible(timeout=AI_TIMEOUT_MS)
    await expect(tutor.first).to_contain_text("In your own words")
    await tab.screenshot("journey-07-tutor")

    # --- a question to the tutor: the reply streams in -------------------------------------
    message = page.get_by_label(re.compile("Explain it in your own words"))
    assert await page.evaluate(WATCH_STREAM)
    await message.fill(QUESTION)
    async with page.expect_response("**/api/v1/session/interact/stream") as streamed:
        await page.get_by_role("button", name="Ask the tutor").click()
    response = await streamed.value
    assert response.ok and "text/event-stream" in response.headers.get("content-type", "")
    # The saved panel replaces the live bubble: the question, then the tutor's answer.
    await expect(page.get_by_text(QUESTION)).to_be_visible(timeout=AI_TIMEOUT_MS)
    await expect(tutor).to_have_count(2)
    await tab.settle()
    assert await page.evaluate("window.__streamed"), "the streamed reply was never shown"

    # --- explain it back (Enter sends); the examiner and the coach answer -----------------
    message = page.get_by_label(re.compile("Explain it in your own words"))
    await message.fill(EXPLANATION)
    async with page.expect_response("**/api/v1/session/interact/stream") as answered:
        await message.press("Enter")
    assert (await answered.value).ok
    examiner = page.get_by_role("article").filter(has_text="Examiner")
    await expect(examiner).to_be_visible(timeout=AI_TIMEOUT_MS)
    await expect(examiner).to_contain_text(re.compile(r"Confidence\s*\d+%"))
    await expect(examiner.get_by_role("progressbar", name="Confidence")).to_be_visible()
    coach = page.get_by_role("article").filter(has_text="Coach")
    await expect(coach).to_be_visible()
    await expect(coach).to_contain_text(COACH_DECISIONS)
    await expect(page.get_by_text(EXPLANATION)).to_be_visible()
    await tab.settle()
    await tab.screenshot("journey-08-examiner-coach")

    # --- a note, saved automatically ---------------------------------------------------------
    await show_panel(tab, "Notes")
    note = page.get_by_label(re.compile("^Notes on “"))
    await expect(note).to_be_visible()
    await note.fill(NOTE)
    feedback = page.locator("#note-feedback")
    await expect(feedback).to_contain_text("Saved · version 1", timeout=20_000)
    await tab.screenshot("journey-09-note")
    await tab.axe("journey-09-learn-session")

    # --- the progress page has changed ------------------------------------------------------
    await main_nav_link(tab, "Progress")
    await expect(page.get_by_role("heading", name=EMPTY_PROGRESS)).to_have_count(0)
    confidence = page.locator("dt", has_text="Average confidence").locator("xpath=..").locator("dd")
    await expect(confidence).to_contain_text(re.compile(r"\d+\s*%"))
    progress_after = await page.locator("main").inner_text()
    assert progress_after != progress_before
    await tab.screenshot("journey-10-progress-after")
    await tab.axe("journey-10-progress-after")

    # --- sign out --------------------------------------------------------------------------
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(re.compile(r"/login"))
    await tab.settle()
    await tab.screenshot("journey-11-signed-out")
    await tab.axe("journey-11-signed-out")
    await page.goto("/dashboard")
    await expect(page).to_have_url(re.compile(r"/login\?next=/dashboard"))

    tab.assert_clean()
