"""The public listing page signed out (phone), then "Start learning" after signing in: the
learner comes back to the listing, adds the item to their library and lands on it; after a
session they rate it on the content page and the review shows on the listing."""

from __future__ import annotations

import re

from tests.browser.conftest import OpenTab
from tests.browser.harness import expect
from tests.browser.live import PASSWORD, LiveServer, api, seed_learner


async def test_listing_signed_out_then_start_learning(
    open_tab: OpenTab, live_server: LiveServer
) -> None:
    owner = seed_learner(live_server.url, email="author@example.com", activity=False)
    api(
        live_server.url,
        "PATCH",
        f"/api/v1/content/{owner.content_id}/visibility",
        {"visibility": "public"},
        owner.token,
    )
    reader = "reader@example.com"
    api(
        live_server.url,
        "POST",
        "/api/v1/auth/register",
        {"name": "Rae Reader", "email": reader, "password": PASSWORD},
    )

    tab = await open_tab("phone")
    page = tab.page
    await tab.goto(f"/c/{owner.content_id}")  # moves to the slug address
    # Other tests of the same server may have listed a book of that title first.
    found = re.search(r"/c/the-zen-of-python(-\d+)?$", page.url)
    assert found, page.url
    listing = found.group(0)
    await expect(page.get_by_role("heading", level=1)).to_have_text(owner.content_title)
    await expect(page.get_by_text("By Ada Learner")).to_be_visible()
    await expect(page.get_by_role("heading", name="What you'll learn")).to_be_visible()
    assert await page.locator("meta[property='og:title']").get_attribute("content") == (
        owner.content_title
    )
    assert await page.locator("meta[name=robots]").count() == 0
    cover = page.locator("img[data-cover]")
    await expect(cover).to_be_visible()  # the first PDF page, rendered at processing time
    assert await cover.evaluate("img => img.naturalWidth") == 600
    await tab.axe("listing-guest")
    tab.assert_clean()

    await page.get_by_role("link", name="Sign in to start learning").click()
    await page.get_by_label("Email").fill(reader)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url(f"**{listing}")  # back on the listing
    await page.get_by_role("button", name="Start learning").click()
    await page.wait_for_url(f"**/content/{owner.content_id}")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(owner.content_title)
    await expect(page.get_by_text("Added to your library.")).to_be_visible()

    # After a session the content page offers the rating form.
    token = api(
        live_server.url, "POST", "/api/v1/auth/login", {"email": reader, "password": PASSWORD}
    )["access_token"]
    api(live_server.url, "POST", "/api/v1/session/start", {"content_id": owner.content_id}, token)
    await tab.goto(f"/content/{owner.content_id}")
    form = page.locator("[data-rate]")
    await expect(form).to_be_visible()
    await form.get_by_label("4 stars").focus()  # the stars work from the keyboard
    await page.keyboard.press("Space")
    await expect(form.get_by_label("4 stars")).to_be_checked()
    await form.get_by_label("Review (optional)").fill("Short and <b>clear</b>.")
    await form.get_by_role("button", name="Save my rating").click()
    await expect(page.get_by_text("your rating was saved")).to_be_visible()

    await tab.goto(listing)
    await expect(page.locator("[data-review-text]")).to_have_text("Short and <b>clear</b>.")
    await expect(page.get_by_text("(1 rating)")).to_be_visible()
    await expect(page.get_by_role("link", name="Continue learning")).to_be_visible()
    tab.assert_clean()
