"""Discover in a browser, signed out: on a desktop the search form works from the keyboard
(no JavaScript needed: a GET form) and a card shows title, author, FREE and the placeholder
cover; on a phone the filter chips and cards fit the screen. Both pass the axe check."""

from __future__ import annotations

from tests.browser.conftest import OpenTab
from tests.browser.harness import expect
from tests.browser.live import LiveServer, api, seed_learner


async def test_discover_desktop_and_phone(open_tab: OpenTab, live_server: LiveServer) -> None:
    owner = seed_learner(live_server.url, email="publisher@example.com", activity=False)
    path = f"/api/v1/content/{owner.content_id}"
    api(live_server.url, "PATCH", path + "/visibility", {"visibility": "public"}, owner.token)
    listing = {"description": "Principles of readable code, one aphorism at a time.",
               "category": "computing"}  # fmt: skip
    api(live_server.url, "PATCH", path, listing, owner.token)

    tab = await open_tab("desktop")
    page = tab.page
    await tab.goto("/discover")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Discover")
    search = page.get_by_role("searchbox", name="Search")
    await search.focus()
    await page.keyboard.type("aphorism")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**/discover?q=aphorism*")
    card = page.locator("[data-listing-card]").filter(has_text=owner.content_title)
    await expect(card).to_be_visible()
    await expect(card).to_contain_text(owner.name)
    await expect(card.locator("[data-price]")).to_have_text("FREE")
    # A PDF's first page became its cover at processing time; an item without one shows the
    # placeholder instead.
    await expect(card.locator("[data-cover], [data-cover-placeholder]")).to_be_visible()
    await expect(page.locator("[data-total]")).to_have_text("1 item")
    # The category select and the order, by keyboard, then "Apply".
    await page.get_by_label("Category").select_option("computing")
    await page.get_by_label("Sort by").select_option("new")
    await page.get_by_role("button", name="Apply").press("Enter")
    await page.wait_for_url("**sort=new*")
    await expect(card).to_be_visible()
    await tab.axe("discover-desktop")
    await tab.screenshot("discover-desktop")
    await tab.goto("/discover?q=nothing-matches-this")
    await expect(page.locator("[data-no-results]")).to_be_visible()
    tab.assert_clean()

    phone = await open_tab("phone")
    small = phone.page
    await phone.goto("/discover")
    chip = small.get_by_role("link", name="Free", exact=True)
    await chip.click()
    await small.wait_for_url("**kind=free*")
    await expect(small.get_by_role("link", name="Free", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    await expect(small.locator("[data-listing-card]").first).to_be_visible()
    width = await small.evaluate("document.documentElement.scrollWidth")
    viewport = await small.evaluate("window.innerWidth")
    assert width <= viewport, (width, viewport)  # nothing wider than the phone
    box = await chip.bounding_box()
    assert box is not None and box["height"] >= 44  # a tap target
    await phone.axe("discover-phone")
    await phone.screenshot("discover-phone")
    phone.assert_clean()
