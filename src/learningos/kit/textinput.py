"""One check at the request boundary: no control characters in any text input.

A NUL or another control character has no place in a name, an email, a title, a note or a
search; PostgreSQL cannot even store a NUL, and SQLite's FTS5 reads it as the end of the
query. Every route depends on `reject_control_characters` (set once on the app), which looks
at the query string, the path, JSON bodies and form fields (file names, not file contents)
before any route or service runs, and answers 422 in the error shape. Tab, line feed and
carriage return are text; lone UTF-16 surrogates (from a JSON escape) are refused too,
since no database can encode them.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from learningos.kit.errors import ValidationFailed

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def without_control(text: str) -> str:
    """The text with every control character replaced by a space (for search builders,
    which must accept any input)."""
    return CONTROL.sub(" ", text)


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for number, item in enumerate(value):
            yield from _strings(item, f"{path}.{number}" if path else str(number))


async def _inputs(request: Request) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = list(request.query_params.multi_items())
    found += [(key, str(value)) for key, value in request.path_params.items()]
    if request.method in _BODY_METHODS:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json" or ctype.endswith("+json"):
            # Malformed JSON is left to the route's own parsing, which answers 422.
            with contextlib.suppress(ValueError, RecursionError):
                found += _strings(json.loads(await request.body()), "")
        elif ctype in _FORMS:
            for key, value in (await request.form()).multi_items():
                if isinstance(value, UploadFile):
                    found.append((key, value.filename or ""))
                else:
                    found.append((key, value))
    return found


async def reject_control_characters(request: Request) -> None:
    """422 when any text input holds a control character (an app-wide dependency)."""
    bad = sorted({field or "body" for field, value in await _inputs(request) if has_control(value)})
    if bad:
        message = "Remove the control characters (such as NUL) from this field."
        raise ValidationFailed(
            f"{bad[0]}: {message}",
            details=[{"field": f, "message": message, "type": "control_character"} for f in bad],
        )
