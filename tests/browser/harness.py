"""What every browser test uses: a page that records other-origin requests and console errors,
an axe-core accessibility check, and full-page screenshots saved as test artefacts.

Importable without Playwright installed (the fixtures in conftest.py then skip or fail).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.browser.live import ROOT

try:
    from playwright.async_api import async_playwright, expect
except ImportError:  # the fixtures report it: a skip locally, a failure in CI
    async_playwright = None  # type: ignore[assignment]
    expect = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Route

CHROMIUM = Path(os.environ.get("LEARNINGOS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]  # a serious/critical violation of these fails
AXE_INFO_TAGS = ["best-practice"]  # also run and written to the report, never a failure
AXE_PATH = "/__test__/axe.min.js"  # served by a route in the test browser, never by the app
BLOCKING = ("serious", "critical")

ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
A11Y_REPORTS = ARTIFACTS / "a11y"

VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}

# Chromium logs a failed sub-request of a page as a console error; an error page's own status
# is such a line too.
STATUS_LINE = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing_requirement() -> str | None:
    if async_playwright is None:
        return "the Python package playwright is not installed (pip install -e '.[dev]')"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if not AXE_JS.exists():
        return f"axe-core is missing at {AXE_JS.relative_to(ROOT)} (npm ci)"
    return None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Tab:
    """One browser context with one page, bound to the app's origin.

    Records every request, web socket and navigation to another origin (they are aborted, so
    a test never touches the network) and every console error or uncaught exception."""

    def __init__(self, context: BrowserContext, page: Page, base: str, viewport: str) -> None:
        self.context = context
        self.page = page
        self.base = base
        self.viewport = viewport
        self.external: list[str] = []
        self.console_errors: list[str] = []

    @classmethod
    async def open(
        cls, browser: Browser, base: str, viewport: str, storage_state: Any = None
    ) -> Tab:
        context = await browser.new_context(
            base_url=base,
            storage_state=storage_state,
            locale="en-GB",
            timezone_id="Europe/London",
            reduced_motion="reduce",
            service_workers="block",
            **VIEWPORTS[viewport],
        )
        context.set_default_timeout(15_000)
        page = await context.new_page()
        tab = cls(context, page, base, viewport)
        await context.route(lambda url: tab._is_external(url), tab._block)
        await context.route(base + AXE_PATH, tab._serve_axe)
        context.on("request", tab._on_request)
        page.on("websocket", lambda ws: tab._note_external(ws.url))
        page.on("console", tab._on_console)
        page.on("pageerror", lambda exc: tab.console_errors.append(f"uncaught: {exc}"))
        return tab

    # --- recording --------------------------------------------------------------------

    def _is_external(self, url: str) -> bool:
        scheme = urlsplit(url).scheme
        return scheme in ("http", "https", "ws", "wss") and _origin(url) != self.base

    def _note_external(self, url: str) -> None:
        if self._is_external(url) and url not in self.external:
            self.external.append(url)

    async def _block(self, route: Route) -> None:
        self._note_external(route.request.url)
        await route.abort("blockedbyclient")

    async def _serve_axe(self, route: Route) -> None:
        await route.fulfill(path=AXE_JS, content_type="text/javascript; charset=utf-8")

    def _on_request(self, request: Request) -> None:
        self._note_external(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            self.console_errors.append(f"{message.text} (from {where or '?'} on {self.page.url})")

    # --- actions ------------------------------------------------------------------------

    async def goto(self, path: str, status: int | None = 200) -> int:
        response = await self.page.goto(path, wait_until="load")
        assert response is not None, f"no response for {path}"
        if status is not None:
            assert response.status == status, f"GET {path}: {response.status}, expected {status}"
        await self.settle()
        styled = await self.page.evaluate(
            """() => [...document.styleSheets].some((s) => {
                try {
                    return !!s.href && s.href.includes('/static/dist/app.css')
                        && s.cssRules.length > 0;
                } catch (e) { return false; }
            })"""
        )
        assert styled, f"{path}: dist/app.css did not load (is `npm run build` running?)"
        return response.status

    async def settle(self) -> None:
        """Wait until web fonts are in and htmx has nothing in flight."""
        await self.page.wait_for_load_state("load")
        await self.page.evaluate("document.fonts.ready.then(() => true)")
        await self.page.wait_for_function(
            "!document.querySelector('.htmx-request')", polling=100, timeout=15_000
        )

    async def screenshot(self, name: str) -> Path:
        """A full-page PNG. The viewport is stretched to the page's height for the shot, so
        fixed bars (sidebar, phone tab bar) sit where a reader sees them, not mid-page."""
        path = SCREENSHOTS / self.viewport / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        height = await self.page.evaluate("document.documentElement.scrollHeight")
        # (Very long pages are shot the usual way, fixed bars and all.)
        stretched = size is not None and size["height"] < height <= 8000
        if stretched:
            assert size is not None
            await self.page.set_viewport_size({"width": size["width"], "height": height})
        try:
            # caret="initial": hiding the caret leaves style="" on every input, which htmx
            # then copies onto swapped-in elements: a CSP violation that is the test's own.
            # Stretched, the viewport is the page; a page with min-height: 100vh would grow
            # again by its header, so the shot is of the viewport, not of the new full page.
            await self.page.screenshot(path=str(path), full_page=not stretched, caret="initial")
        finally:
            if stretched:
                assert size is not None
                await self.page.set_viewport_size(size)
        return path

    async def axe(self, name: str, exclude: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Run axe-core on the page; fail on any serious or critical WCAG 2.0/2.1 A/AA violation.

        Every violation (of any impact, best practices included) is also written to
        test-artifacts/a11y/<viewport>/<name>.json.
        """
        if not await self.page.evaluate("typeof window.axe !== 'undefined'"):
            await self.page.add_script_tag(url=self.base + AXE_PATH)
        violations: list[dict[str, Any]] = await self.page.evaluate(
            """async ([tags, exclude]) => {
                const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
                const result = await window.axe.run(context, {
                    runOnly: {type: 'tag', values: tags},
                    resultTypes: ['violations'],
                });
                return result.violations.map((v) => ({
                    id: v.id, impact: v.impact, tags: v.tags, help: v.help, helpUrl: v.helpUrl,
                    nodes: v.nodes.map((n) => ({
                        target: n.target.map(String), html: n.html.slice(0, 300),
                        summary: (n.failureSummary || '').slice(0, 600),
                    })),
                }));
            }""",
            [AXE_TAGS + AXE_INFO_TAGS, list(exclude)],
        )
        report = A11Y_REPORTS / self.viewport / f"{name}.json"
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(
            json.dumps({"url": self.page.url, "violations": violations}, indent=2) + "\n"
        )
        blocking = [
            v
            for v in violations
            if v["impact"] in BLOCKING and any(tag in AXE_TAGS for tag in v["tags"])
        ]
        if blocking:
            pytest.fail(format_violations(blocking, f"{self.viewport} {self.page.url}"), False)
        return violations

    def assert_clean(self, allow_console: Iterable[str] = ()) -> None:
        """No request to another origin; no console error except the allowed patterns."""
        assert not self.external, "requests to another origin:\n  " + "\n  ".join(self.external)
        allowed = [re.compile(p) for p in allow_console]
        errors = [e for e in self.console_errors if not any(p.search(e) for p in allowed)]
        assert not errors, "console errors:\n  " + "\n  ".join(errors)

    async def close(self) -> None:
        await self.context.close()


def format_violations(violations: list[dict[str, Any]], where: str) -> str:
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {where}"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
        for node in v["nodes"][:8]:
            lines.append(f"    at {' '.join(node['target'])}")
            summary = " ".join(node["summary"].split())
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)
