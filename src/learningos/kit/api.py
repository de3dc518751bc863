"""The JSON API's router: its route names carry an `api_` prefix.

Page templates link by route name (`url_for("login")`); without the prefix an API endpoint
function of the same name could win and a form would post to the JSON API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute
from pydantic import BaseModel


class ApiRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["name"] = "api_" + (kwargs.get("name") or endpoint.__name__)
        super().__init__(path, endpoint, **kwargs)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: Any = None
    request_id: str | None = None


class ErrorOut(BaseModel):
    """Every error of the JSON API has this shape (kit/handlers.py)."""

    error: ErrorDetail


# The errors any operation can answer with, in the error shape: bad or invalid input,
# not signed in, not allowed, not found (also for what the caller may not see), a conflict
# with the current state, too large, an unsupported file, too many requests.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (400, "Bad request"),
        (401, "Not signed in, or the token is invalid or expired"),
        (403, "Signed in but not allowed (or a missing CSRF token)"),
        (404, "Not found, or not visible to the caller"),
        (409, "Conflicts with the current state"),
        (413, "Body too large"),
        (415, "Unsupported file"),
        (422, "Invalid input"),
        (429, "Too many requests (see Retry-After)"),
    )
}


def api_router(prefix: str, tags: list[str]) -> APIRouter:
    return APIRouter(
        prefix=prefix, tags=list(tags), route_class=ApiRoute, responses=dict(ERROR_RESPONSES)
    )
