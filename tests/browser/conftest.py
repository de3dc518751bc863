"""Browser tests: the real app (`learningos serve` on a free port, embedded mode, fresh data
folder) driven by Debian's chromium through Playwright.

They run with the rest of the suite (`make test`, plain `pytest`). Requirements: the
playwright package (dev extras), chromium at /usr/bin/chromium (or LEARNINGOS_CHROMIUM) and
axe-core in node_modules (npm ci). When one is missing they are skipped with the reason, and
fail instead when CI=true. LEARNINGOS_BROWSER_TESTS=0 turns them off (.ci/run does so for
its PostgreSQL pass: the app here always runs embedded, so a second run would repeat the first).

The server, the browser and the seeded learner live for this package only (package-scoped
fixtures), so nothing of theirs stays around while the rest of the suite runs.

Artefacts: test-artifacts/screenshots/<viewport>/<page>.png, test-artifacts/a11y/<viewport>/
<page>.json (every axe violation, any impact) and test-artifacts/browser-server.log.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.harness import (
    A11Y_REPORTS,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    SCREENSHOTS,
    Tab,
    async_playwright,
    in_ci,
    missing_requirement,
)
from tests.browser.live import Learner, LiveServer, seed_learner

HERE = Path(__file__).parent
OpenTab = Callable[..., Awaitable[Tab]]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives chromium against the running app (tests/browser)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _turned_off() -> bool:
    return os.environ.get("LEARNINGOS_BROWSER_TESTS", "").strip().lower() in (
        "0",
        "false",
        "no",
        "off",
        "skip",
    )


@pytest.fixture(scope="session")
def browser_requirements() -> None:
    if _turned_off():
        pytest.skip("browser tests turned off (LEARNINGOS_BROWSER_TESTS=0)")
    missing = missing_requirement()
    if missing:
        if in_ci():
            pytest.fail(f"browser tests cannot run in CI: {missing}", pytrace=False)
        pytest.skip(f"browser tests skipped: {missing}")


@pytest.fixture(autouse=True)
def _requires_browser(browser_requirements: None) -> None:
    """Every test in this folder: skip (locally) or fail (CI) when a requirement is missing."""


@pytest.fixture(scope="package")
def live_server(
    browser_requirements: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    ARTIFACTS.mkdir(exist_ok=True)
    server = LiveServer(
        tmp_path_factory.mktemp("browser-app"), log_path=ARTIFACTS / "browser-server.log"
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
async def browser(browser_requirements: None) -> AsyncIterator[Any]:
    for folder in (SCREENSHOTS, A11Y_REPORTS):
        shutil.rmtree(folder, ignore_errors=True)
    assert async_playwright is not None
    playwright = await async_playwright().start()
    try:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except Exception:
        await playwright.stop()
        raise
    yield chromium
    await chromium.close()
    await playwright.stop()


@pytest.fixture
async def open_tab(browser: Any, live_server: LiveServer) -> AsyncIterator[OpenTab]:
    """`await open_tab("desktop" | "phone", storage_state=None)` → a fresh context and page.
    Any request to another origin fails the test, also one the test did not check itself."""
    tabs: list[Tab] = []

    async def open_(viewport: str, storage_state: Any = None) -> Tab:
        tab = await Tab.open(browser, live_server.url, viewport, storage_state)
        tabs.append(tab)
        return tab

    yield open_
    external = [url for tab in tabs for url in tab.external]
    for tab in tabs:
        await tab.close()
    assert not external, "requests to another origin:\n  " + "\n  ".join(external)


@pytest.fixture(scope="package")
def learner(live_server: LiveServer) -> Learner:
    """A learner with one processed PDF, one evaluated explanation and one note."""
    return seed_learner(live_server.url, email="seeded@example.com")


@pytest.fixture(scope="package")
async def learner_state(browser: Any, live_server: LiveServer, learner: Learner) -> Any:
    """The learner's signed-in browser state (cookies), signed in through the /login form."""
    tab = await Tab.open(browser, live_server.url, "desktop")
    try:
        page = tab.page
        await page.goto("/login")
        await page.get_by_label("Email").fill(learner.email)
        await page.get_by_label("Password", exact=True).fill(learner.password)
        await page.get_by_role("button", name="Sign in", exact=True).click()
        await page.wait_for_url("**/dashboard")
        return await tab.context.storage_state()
    finally:
        await tab.close()
