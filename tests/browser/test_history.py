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


async def test_back_to_the_learn_page_shows_the_session_as_it_is_now(
    cached_browser: Any, live_server: LiveServer
) -> None:
    from tests.browser.live import upload_file, wait_processed
    from tests.browser.test_learn_journey import COURSE

    email = "history-learn@example.com"
    base = live_server.url
    body = {"name": "Lou", "email": email, "password": PASSWORD}
    api(base, "POST", "/api/v1/auth/register", body)
    token = api(base, "POST", "/api/v1/auth/login", {"email": email, "password": PASSWORD})[
        "access_token"
    ]
    content_id = upload_file(base, token, COURSE, "Saving and investing")
    wait_processed(base, token, content_id)
    context = await cached_browser.new_context(base_url=base, **VIEWPORTS["desktop"])
    try:
        page = await context.new_page()
        await page.goto("/login")
        await page.get_by_label("Email").fill(email)
        await page.get_by_label("Password", exact=True).fill(PASSWORD)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await page.wait_for_url("**/dashboard")
        await page.goto(f"/learn/{content_id}")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Start learning").click()
        await expect(page.get_by_role("article", name="Tutor")).to_have_count(1)
        sid = await page.locator("input[name=session_id]").first.get_attribute("value")
        await page.goto("/progress")
        # Meanwhile (another device) the learner asks the tutor something.
        api(
            base,
            "POST",
            "/api/v1/session/interact",
            {"session_id": sid, "action": "ask", "message": "What is inflation?"},
            token,
        )
        await page.go_back(wait_until="commit")
        await expect(page).to_have_url(re.compile(f"/learn/{content_id}$"))
        await expect(page.get_by_role("article", name="Tutor")).to_have_count(2)
    finally:
        await context.close()
