"""The JSON API's router: its route names carry an `api_` prefix.

Page templates link by route name (`url_for("login")`); without the prefix an API endpoint
function of the same name could win and a form would post to the JSON API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.routing import APIRoute


class ApiRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        kwargs["name"] = "api_" + (kwargs.get("name") or endpoint.__name__)
        super().__init__(path, endpoint, **kwargs)


def api_router(prefix: str, tags: list[str]) -> APIRouter:
    return APIRouter(prefix=prefix, tags=list(tags), route_class=ApiRoute)
