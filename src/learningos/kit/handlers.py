"""One error shape for the API, an error page (or a toast trigger) for the pages.

The error page itself is drawn by the renderer the app installs (`install_error_handlers`:
web/render.py's), so kit knows nothing of templates.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from learningos.kit.errors import AppError
from learningos.kit.logging import get_logger

log = get_logger("learningos.errors")

# (scope, status, message, headers) -> the error page.
PageRenderer = Callable[[Scope, int, str, dict[str, str]], Response]

_HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def wants_json(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path.startswith(("/api/", "/health")):
        return True
    accept = ""
    for key, value in scope.get("headers", []):
        if key == b"accept":
            accept = value.decode("latin-1")
    return "text/html" not in accept and "*/*" not in accept and bool(accept)


def error_body(scope: Scope, code: str, message: str, details: Any = None) -> dict[str, Any]:
    request_id = scope.get("state", {}).get("request_id")
    return {
        "error": {"code": code, "message": message, "details": details, "request_id": request_id}
    }


def error_response_for_scope(scope: Scope, exc: AppError) -> Response:
    if wants_json(scope):
        return JSONResponse(
            error_body(scope, exc.code, exc.message, exc.details),
            status_code=exc.status_code,
            headers=exc.headers,
        )
    return _page_error(scope, exc.status_code, exc.message, exc.headers)


def _page_error(scope: Scope, status: int, message: str, headers: dict[str, str]) -> Response:
    is_htmx = any(k == b"hx-request" for k, _ in scope.get("headers", []))
    if is_htmx:
        # htmx does not swap error responses; the page shows a toast instead.
        trigger = json.dumps({"toast": {"level": "error", "message": message}})
        return Response(status_code=status, headers={**headers, "HX-Trigger": trigger})
    state = getattr(scope.get("app"), "state", None)
    page: PageRenderer | None = getattr(state, "error_page", None)
    if page is None:  # an app without pages
        return PlainTextResponse(message, status_code=status, headers=headers)
    return page(scope, status, message, headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
        msg = str(err.get("msg", "Invalid value"))
        msg = msg.removeprefix("Value error, ")
        details.append({"field": ".".join(loc) or None, "message": msg, "type": err.get("type")})
    return details


def install_error_handlers(app: FastAPI, page: PageRenderer | None = None) -> None:
    """The API's error shape everywhere; `page` draws the error page a browser gets."""
    app.state.error_page = page

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if exc.status_code >= 500:
            log.error("app_error", code=exc.code, message=exc.message)
        return error_response_for_scope(request.scope, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = _validation_details(exc)
        first = details[0]["message"] if details else "Invalid input."
        if wants_json(request.scope):
            message = (
                f"{details[0]['field']}: {first}" if details and details[0]["field"] else first
            )
            return JSONResponse(
                error_body(request.scope, "validation_error", message, details), status_code=422
            )
        return _page_error(request.scope, 422, first, {})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = str(exc.detail) if exc.detail else code.replace("_", " ").capitalize()
        if exc.status_code == 404:
            message = "The page or resource you asked for does not exist."
        headers = dict(exc.headers or {})
        if wants_json(request.scope):
            return JSONResponse(
                error_body(request.scope, code, message),
                status_code=exc.status_code,
                headers=headers,
            )
        return _page_error(request.scope, exc.status_code, message, headers)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> Response:
        log.exception("unhandled_error", path=request.url.path)
        message = "Something went wrong on our side. It has been logged; please try again."
        if wants_json(request.scope):
            return JSONResponse(
                error_body(request.scope, "internal_error", message),
                status_code=500,
                headers=_request_id_header(request.scope),
            )
        return _page_error(request.scope, 500, message, _request_id_header(request.scope))


def _request_id_header(scope: Scope) -> dict[str, str]:
    # Unhandled errors are rendered outside the request-context middleware.
    request_id = scope.get("state", {}).get("request_id")
    return {"x-request-id": request_id} if request_id else {}
