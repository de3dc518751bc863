"""Sharing by link between two people, in two browser contexts: the owner opens the Share
dialog with the keyboard and makes a link; someone signed out opens it, registers, and lands
on the material."""

from __future__ import annotations

import re

from tests.browser.conftest import OpenTab
from tests.browser.harness import expect
from tests.browser.live import PASSWORD, LiveServer, seed_learner


async def test_share_a_link_with_a_new_learner(open_tab: OpenTab, live_server: LiveServer) -> None:
    owner = seed_learner(live_server.url, email="sharer@example.com", activity=False)
    tab = await open_tab("desktop")
    page = tab.page
    await page.goto("/login")
    await page.get_by_label("Email").fill(owner.email)
    await page.get_by_label("Password", exact=True).fill(owner.password)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url("**/dashboard")
    await tab.goto(f"/content/{owner.content_id}")

    share = page.get_by_role("link", name="Share", exact=True)
    await share.focus()
    await page.keyboard.press("Enter")
    dialog = page.locator("dialog#share-dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_role("button", name="Create a link").click()
    link = dialog.locator("[data-new-share-link]")
    await expect(link).to_be_visible()
    url = await link.input_value()
    assert re.search(r"/s/[A-Za-z0-9_-]{32}$", url), url
    await tab.axe("share-dialog")  # fails on serious WCAG violations in the open dialog
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    tab.assert_clean()

    guest = await open_tab("phone")
    other = guest.page
    await other.goto(url)
    await expect(other.get_by_role("heading", level=1)).to_contain_text("shared material")
    await other.get_by_role("link", name="Create an account").click()
    await other.get_by_label("Full name").fill("Bo Reader")
    await other.get_by_label("Email").fill("bo@example.com")
    await other.get_by_label("Password", exact=True).fill(PASSWORD)
    await other.get_by_label("Confirm password").fill(PASSWORD)
    await other.get_by_label(re.compile("terms", re.I)).check()
    await other.get_by_role("button", name=re.compile("Create account", re.I)).click()
    await other.wait_for_url(f"**/content/{owner.content_id}")
    await expect(other.get_by_role("heading", level=1)).to_contain_text(owner.content_title)
    await expect(other.get_by_text("Shared with you", exact=True)).to_be_visible()
    assert await other.locator("[data-dialog]").count() == 0

    # The owner sees the new learner in "who has access".
    await tab.goto(f"/content/{owner.content_id}/share")
    await expect(page.locator("[data-access-entry]").filter(has_text="Bo Reader")).to_be_visible()
