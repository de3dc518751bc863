"""Reading JSON Lines files (the evaluation sets): one record a line, blank lines skipped."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def records(path: str | Path) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each non-blank line; ValueError naming a line that is not
    JSON."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"line {number} is not JSON: {exc.msg}") from None
