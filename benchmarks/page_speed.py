"""Page speed: largest contentful paint and the CSS + JavaScript bytes of every page, in chromium.

Starts the real server (`learningos serve`, embedded mode, temporary data folder), seeds a
learner with one processed PDF (with one evaluated explanation and a note, so /learn shows an
open session and /progress real figures), then loads each page in Debian's chromium on a
1280x800 desktop viewport: a fresh browser context for every load, the HTTP cache disabled,
loopback network, no CPU or network throttling. One unrecorded warm-up load per page first
(the server compiles each template once), then --runs recorded loads; figures are medians.
The first row, "floor", loads /health (a few bytes of JSON, no CSS, JS or fonts): the time a
fresh chromium context needs to paint anything on this machine, a baseline for the rest.

Recorded per load:
  LCP     PerformanceObserver('largest-contentful-paint', buffered), read after the load
          event, the web fonts and two animation frames
  TTFB    navigation timing responseStart
  CSS/JS  every stylesheet and script response: bytes on the wire (Resource Timing
          transferSize, headers included), the body as served, and the body compressed here
          with gzip level 6 and brotli quality 5 (the app itself does not compress; the
          columns say what a compressing proxy would send)

Targets (../shared/spec/targets.md): LCP <= 1.0 s locally, <= 100 KB of CSS+JS per page
compressed (gzip -6 is the figure checked).

  .venv/bin/python benchmarks/page_speed.py               # 5 runs per page
  .venv/bin/python benchmarks/page_speed.py --runs 9 --json

Needs chromium at /usr/bin/chromium (apt-get install chromium) and the playwright package.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, async_playwright  # noqa: E402
from tests.browser.live import PASSWORD, LiveServer, seed_learner  # noqa: E402

try:
    import brotli  # type: ignore[import-untyped,import-not-found,unused-ignore]
except ImportError:  # brotli is optional: the gzip figure is the one checked
    brotli = None

LCP_TARGET_MS = 1000.0
ASSET_TARGET_KB = 100.0
VIEWPORT = {"width": 1280, "height": 800}

# (name, path, signed in). "floor" is /health, a few bytes of JSON with no CSS, JS or fonts:
# what a fresh chromium context takes to paint anything here, the baseline for the pages.
PAGES = [
    ("floor", "/health", False),
    ("landing", "/", False),
    ("login", "/login", False),
    ("register", "/register", False),
    ("dashboard", "/dashboard", True),
    ("library", "/library", True),
    ("upload", "/upload", True),
    ("content", "/content/{content_id}", True),
    ("learn", "/learn/{content_id}", True),
    ("progress", "/progress", True),
    ("notes", "/notes", True),
    ("settings", "/settings", True),
    ("privacy", "/privacy", False),
    ("terms", "/terms", False),
    ("contact", "/contact", False),
    ("404", "/this-page-does-not-exist", False),
]

READ_LCP = """() => new Promise((resolve) => {
  let lcp = null, element = null;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      lcp = e.startTime;
      const el = e.element;
      element = el ? el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).slice(0, 2).join('.') : '')
        : (e.url || null);
    }
  });
  observer.observe({type: 'largest-contentful-paint', buffered: true});
  document.fonts.ready.then(() => requestAnimationFrame(() => requestAnimationFrame(() => {
    setTimeout(() => {
      observer.disconnect();
      const nav = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const resources = performance.getEntriesByType('resource').map((r) => ({
        url: r.name, type: r.initiatorType, transfer: r.transferSize, encoded: r.encodedBodySize,
        decoded: r.decodedBodySize,
      }));
      resolve({
        lcp, element, fcp: fcp ? fcp.startTime : null,
        ttfb: nav ? nav.responseStart : null, load: nav ? nav.loadEventEnd : null,
        doc_transfer: nav ? nav.transferSize : null, resources,
      });
    }, 50);
  })));
})"""


def compressed_sizes(body: bytes) -> tuple[int, int | None]:
    gz = len(gzip.compress(body, compresslevel=6, mtime=0))
    br = len(brotli.compress(body, quality=5)) if brotli is not None else None
    return gz, br


async def sign_in(browser: Any, base: str, email: str) -> Any:
    context = await browser.new_context(base_url=base, viewport=VIEWPORT)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await page.wait_for_url("**/dashboard")
    state = await context.storage_state()
    await context.close()
    return state


async def load_once(browser: Any, base: str, path: str, state: Any) -> dict[str, Any]:
    context = await browser.new_context(base_url=base, viewport=VIEWPORT, storage_state=state)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    assets: list[dict[str, Any]] = []
    pending: list[asyncio.Task[None]] = []
    encodings: set[str] = set()

    async def keep(response: Any) -> None:
        kind = response.request.resource_type
        if kind not in ("stylesheet", "script"):
            return
        body = await response.body()
        encoding = response.headers.get("content-encoding")
        if encoding:
            encodings.add(encoding)
        gz, br = compressed_sizes(body)
        assets.append(
            {"url": response.url, "kind": kind, "raw": len(body), "gzip": gz, "brotli": br}
        )

    page.on("response", lambda r: pending.append(asyncio.ensure_future(keep(r))))
    try:
        response = await page.goto(path, wait_until="load")
        status = response.status if response else None
        timing = await page.evaluate(READ_LCP)
        await asyncio.gather(*pending)
    finally:
        await context.close()
    wire = {r["url"]: r["transfer"] for r in timing["resources"]}
    for asset in assets:
        asset["transfer"] = wire.get(asset["url"])
    return {"status": status, "timing": timing, "assets": assets, "encodings": sorted(encodings)}


def summarise(name: str, path: str, loads: list[dict[str, Any]]) -> dict[str, Any]:
    lcps = [load["timing"]["lcp"] for load in loads if load["timing"]["lcp"] is not None]
    last = loads[-1]
    css = [a for a in last["assets"] if a["kind"] == "stylesheet"]
    js = [a for a in last["assets"] if a["kind"] == "script"]

    def total(items: list[dict[str, Any]], key: str) -> int:
        return sum(a[key] or 0 for a in items)

    both = css + js
    row = {
        "page": name,
        "path": path,
        "status": last["status"],
        "runs": len(loads),
        "lcp_ms_median": round(statistics.median(lcps), 1) if lcps else None,
        "lcp_ms_max": round(max(lcps), 1) if lcps else None,
        "fcp_ms_median": round(statistics.median(load["timing"]["fcp"] or 0 for load in loads), 1),
        "ttfb_ms_median": round(
            statistics.median(load["timing"]["ttfb"] or 0 for load in loads), 1
        ),
        "lcp_element": last["timing"]["element"],
        "css_files": len(css),
        "js_files": len(js),
        "css_raw_bytes": total(css, "raw"),
        "js_raw_bytes": total(js, "raw"),
        "css_js_wire_bytes": total(both, "transfer"),
        "css_js_raw_bytes": total(both, "raw"),
        "css_js_gzip_bytes": total(both, "gzip"),
        "css_js_brotli_bytes": total(both, "brotli") if brotli is not None else None,
        "server_content_encoding": sorted({e for load in loads for e in load["encodings"]}),
    }
    row["meets_lcp"] = row["lcp_ms_median"] is not None and row["lcp_ms_median"] <= LCP_TARGET_MS
    row["baseline"] = name == "floor"
    row["meets_bytes"] = row["css_js_gzip_bytes"] / 1024 <= ASSET_TARGET_KB
    return row


async def measure(runs: int) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="learningos-pagespeed-"))
    server = LiveServer(workdir / "data", log_path=workdir / "server.log")
    started = time.monotonic()
    server.start()
    try:
        learner = seed_learner(server.url, email="speed@example.com")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            state = await sign_in(browser, server.url, learner.email)
            rows, skipped = [], []
            for name, template, signed_in in PAGES:
                path = template.format(content_id=learner.content_id)
                page_state = state if signed_in else None
                warm = await load_once(browser, server.url, path, page_state)
                if warm["status"] == 404 and name != "404":
                    skipped.append({"page": name, "path": path, "reason": "404: not built yet"})
                    continue
                loads = [
                    await load_once(browser, server.url, path, page_state) for _ in range(runs)
                ]
                rows.append(summarise(name, path, loads))
            version = browser.version
            await browser.close()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "runs": runs,
        "chromium": version,
        "viewport": VIEWPORT,
        "compression": "served: "
        + (", ".join(sorted({e for r in rows for e in r["server_content_encoding"]})) or "none")
        + "; wire = bytes transferred (headers included); gzip level 6"
        + (" and brotli quality 5" if brotli is not None else "")
        + " computed here from the bodies",
        "targets": {"lcp_ms": LCP_TARGET_MS, "css_js_gzip_kb": ASSET_TARGET_KB},
        "pages": rows,
        "skipped": skipped,
        "all_met": all(r["meets_lcp"] and r["meets_bytes"] for r in rows if not r["baseline"]),
        "seconds": round(time.monotonic() - started, 1),
    }


def kb(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024:.1f}"


def print_table(result: dict[str, Any]) -> None:
    print(
        f"chromium {result['chromium']}, {result['viewport']['width']}x{result['viewport']['height']}, "
        f"{result['runs']} runs per page (medians), cache disabled, fresh context per load"
    )
    print(f"compression: {result['compression']}")
    header = (
        f"{'page':<10}{'LCP ms':>8}{'max':>7}{'FCP':>6}{'TTFB':>6}  {'CSS+JS KB raw':>13}"
        f"{'wire':>7}{'gzip':>7}{'br':>6}{'files':>7}  {'ok':<3} LCP element"
    )
    print(header)
    print("-" * len(header))
    for r in result["pages"]:
        ok = "yes" if r["meets_lcp"] and r["meets_bytes"] else "NO"
        if r["baseline"]:
            ok = "-"
        print(
            f"{r['page']:<10}{r['lcp_ms_median'] or 0:>8.0f}{r['lcp_ms_max'] or 0:>7.0f}"
            f"{r['fcp_ms_median']:>6.0f}{r['ttfb_ms_median']:>6.0f}  {kb(r['css_js_raw_bytes']):>13}"
            f"{kb(r['css_js_wire_bytes']):>7}{kb(r['css_js_gzip_bytes']):>7}{kb(r['css_js_brotli_bytes']):>6}"
            f"{r['css_files'] + r['js_files']:>7}  {ok:<3} {r['lcp_element'] or ''}"
        )
    for s in result["skipped"]:
        print(f"{s['page']:<10}skipped: {s['reason']}")
    print(
        f"targets: LCP <= {LCP_TARGET_MS:.0f} ms, CSS+JS <= {ASSET_TARGET_KB:.0f} KB gzip per page: "
        + ("all met" if result["all_met"] else "NOT all met")
        + f" ({result['seconds']} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5, help="recorded loads per page (default 5)")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object on the last line"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if async_playwright is None:
        raise SystemExit("page_speed needs the playwright package (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        raise SystemExit(f"page_speed needs chromium at {CHROMIUM} (apt-get install chromium)")
    result = asyncio.run(measure(args.runs))
    print_table(result)
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
