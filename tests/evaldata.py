"""Where the tests find their data.

The sample PDFs ship with the repository (`tests/data/pdfs`). The whole book and the graded
answers stay in the evaluation folder (`LEARNINGOS_EVAL_DIR`, default `../shared/eval` beside
the repository): tests that need them call `need()`, which skips with one reason when the
folder is absent (a fresh clone) and fails under `CI=true`, so CI always runs them.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PDFS = ROOT / "tests" / "data" / "pdfs"
EVAL = Path(os.environ.get("LEARNINGOS_EVAL_DIR") or ROOT.parent / "shared" / "eval").resolve()
BOOK = EVAL / "books" / "thinkstats2.pdf"
MOHLER = EVAL / "asag" / "mohler_dev.csv"
# The second, untuned book (Think Python 2, CC BY-NC: never committed; see benchmarks/README.md).
BOOK2 = Path(
    os.environ.get("LEARNINGOS_EVAL_BOOK2") or EVAL / "books" / "thinkpython2.pdf"
).resolve()


MISSING = (
    f"evaluation data not found at {EVAL} (set LEARNINGOS_EVAL_DIR, or put the shared eval "
    "folder at ../shared/eval beside the repository)"
)


def need(path: Path) -> Path:
    """`path` inside the evaluation folder, or skip (fail under CI=true) when it is absent."""
    if path.exists():
        return path
    if os.environ.get("CI", "").strip().lower() in ("1", "true", "yes"):
        pytest.fail(f"{MISSING}; CI must run these tests", pytrace=False)
    pytest.skip(MISSING)


def optional(path: Path, what: str) -> Path:
    """`path`, or skip with the reason when it is absent, CI included: data that CI does not
    have (a book that may not be redistributed)."""
    if path.exists():
        return path
    pytest.skip(f"{what} not found at {path} (see benchmarks/README.md for where to get it)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """Report every skip for missing evaluation data under one location, so the summary
    prints the reason once with the number of tests it skipped."""
    outcome = yield
    report = outcome.get_result()
    if (
        report.skipped
        and isinstance(report.longrepr, tuple)
        and report.longrepr[2].endswith(MISSING)
    ):
        report.longrepr = (__file__, 0, MISSING)
