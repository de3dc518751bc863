"""Back after signing out shows no private page, with the browser's back/forward cache on as
in a learner's Chrome (Playwright turns it off by default, so this test starts its own
chromium without that switch)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, async_playwright, expect
from tests.browser.live import PASSWORD, LiveServer, api


@pytest.fixture(scope="module")
async def cached_browser(browser_requirements: None) -> AsyncIterator[Any]:
    assert async_playwright is not None
    playwright = await async_playwright().start()
    chromium = await playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        args=CHROMIUM_ARGS,
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield chromium
    await chromium.close()
    await playwright.stop()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_back_after_sign_out_shows_no_private_page(
    viewport: str, cached_browser: Any, live_server: LiveServer
) -> None:
    email = f"history-{viewport}@example.com"
    name = f"Hana History {viewport}"
    api(
        live_server.url,
        "POST",
        "/api/v1/auth/register",
        {"name": name, "email": email, "password": PASSWORD},
    )
    context = await cached_browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport])
    try:
        page = await context.new_page()
        await page.goto("/login")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await page.wait_for_url("**/dashboard")
        response = await page.goto("/progress")
        assert response is not None
        assert "no-store" in (response.headers.get("cache-control") or "")
        await expect(page.locator("main")).to_be_visible()
        await page.goto("/dashboard")
        await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(re.compile(r"/login"))

        for _ in range(2):  # back to the dashboard, then to the progress page
            # A page restored from the back/forward cache fires no load event: wait for commit.
            await page.go_back(wait_until="commit")
            await expect(page).to_have_url(re.compile(r"/login"))
            await expect(page.get_by_text(name)).to_have_count(0)
            await expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    finally:
        await context.close()
