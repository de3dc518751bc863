"""Buying through the built-in test checkout: a creator sets a price; a learner opens the
item, sees the price in USD and riel, buys it on the test checkout ("Test payment — no
money moves"), studies it; a refund takes the access away again."""

from __future__ import annotations

import re

from learningos.creator.agreement import AGREEMENT_VERSION
from tests.browser.conftest import OpenTab
from tests.browser.harness import expect
from tests.browser.live import PASSWORD, LiveServer, api, seed_learner


async def test_buy_study_and_refund(open_tab: OpenTab, live_server: LiveServer) -> None:
    base = live_server.url
    creator = seed_learner(base, email="seller@example.com", activity=False)
    api(base, "POST", "/api/v1/creator/onboard", {
        "accept_agreement": True, "agreement_version": AGREEMENT_VERSION,
        "legal_name": "Sam Seller", "country": "KH",
    }, creator.token)  # fmt: skip
    api(base, "PATCH", f"/api/v1/content/{creator.content_id}/visibility",
        {"visibility": "paid", "price_cents": 999}, creator.token)  # fmt: skip
    email = "buyer@example.com"
    api(base, "POST", "/api/v1/auth/register", {"name": "Bo Buyer", "email": email,
                                                "password": PASSWORD})  # fmt: skip

    tab = await open_tab("desktop")
    page = tab.page
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url("**/dashboard")

    # Not bought yet: the item's page is its buy page, with the price in USD and riel.
    await tab.goto(f"/content/{creator.content_id}")
    await page.wait_for_url(f"**/buy/{creator.content_id}")
    await expect(page.locator("[data-price]")).to_have_text("$9.99 (≈ ៛41,000)")
    await tab.axe("buy-page")
    await page.get_by_role("button", name="Buy").click()
    await page.wait_for_url("**/test-checkout/sale/*")
    await expect(page.get_by_text("Test payment — no money moves").first).to_be_visible()
    checkout_url = page.url
    await page.get_by_role("button", name="Pay").click()

    # The signed order went through the inbox: the material opens.
    await page.wait_for_url(re.compile(rf".*/content/{creator.content_id}\?purchase=.*"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text(creator.content_title)
    await tab.goto(f"/learn/{creator.content_id}")
    await expect(page.get_by_role("heading", level=1).first).to_be_visible()
    await tab.goto("/library")
    purchases = page.locator("[data-purchases]")
    await expect(purchases).to_contain_text(creator.content_title)
    await expect(purchases).to_contain_text("$9.99")

    # A refund (on the test checkout) takes the access away.
    await page.goto(checkout_url)
    await page.get_by_role("button", name="Refund").click()
    await expect(page.locator("[data-test-checkout-done]")).to_be_visible()
    await tab.goto(f"/content/{creator.content_id}")
    await page.wait_for_url(f"**/buy/{creator.content_id}")
    await tab.goto("/library")
    await expect(page.locator("[data-purchases]")).to_contain_text("refunded")
    tab.assert_clean()
