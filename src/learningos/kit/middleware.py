"""Pure ASGI middleware: request ids and access logs, security headers, body limits."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learningos.kit.logging import get_logger

log = get_logger("learningos.http")
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
    "content-security-policy": CSP,
}
# Swagger UI at /docs loads its own inline script; it gets a looser policy.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


class RequestContextMiddleware:
    """Binds a request id to every log line, echoes it in X-Request-ID, logs each request."""

    def __init__(self, app: ASGIApp, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = (
            incoming if incoming and _REQUEST_ID_OK.match(incoming) else secrets.token_hex(8)
        )
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        start = time.perf_counter()
        status = {"code": 500}
        path = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["x-request-id"] = request_id
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                if path.startswith(("/docs", "/redoc")):
                    headers["content-security-policy"] = DOCS_CSP
                if self.hsts:
                    headers.setdefault("strict-transport-security", "max-age=31536000")
                if _private(scope, path, headers):
                    headers.setdefault("cache-control", "no-store")
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if not path.startswith("/static"):
                log.info(
                    "http.request",
                    method=scope.get("method"),
                    path=path,
                    status=status["code"],
                    ms=round((time.perf_counter() - start) * 1000, 2),
                )
            structlog.contextvars.clear_contextvars()


class BodyLimitMiddleware:
    """Rejects bodies over the limit (413) before the app reads them into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int, multipart_max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.multipart_max_bytes = multipart_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        ctype = _header(scope, b"content-type") or ""
        limit = self.multipart_max_bytes if ctype.startswith("multipart/") else self.max_bytes
        declared = _header(scope, b"content-length")
        if declared and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, receive, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(scope, receive, send, limit)


class _BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    from learningos.kit.errors import PayloadTooLarge
    from learningos.kit.handlers import error_response_for_scope

    exc = PayloadTooLarge(
        f"The request body is larger than the limit of {limit:,} bytes.",
        details={"limit_bytes": limit},
    )
    response = error_response_for_scope(scope, exc)
    await response(scope, receive, send)


PRIVATE_COOKIES = ("lo_access=", "lo_refresh=")


def _private(scope: Scope, path: str, headers: MutableHeaders) -> bool:
    """A response no browser or proxy may keep: the JSON API, and every page a signed-in
    user asked for or that signs one in or out (so Back after signing out cannot show the
    previous user's page, nor Back/Forward a stale state). Static files stay cacheable."""
    if path.startswith("/static/"):
        return False
    if path.startswith("/api/"):
        return True
    cookie = _header(scope, b"cookie") or ""
    if any(name in cookie for name in PRIVATE_COOKIES):
        return True
    return any(value.startswith(PRIVATE_COOKIES) for value in headers.getlist("set-cookie"))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def client_ip(scope_or_request: Any) -> str:
    client = getattr(scope_or_request, "client", None)
    return client.host if client else "unknown"


class StaticGZipMiddleware:
    """gzip for the static files only (CSS, JavaScript, SVG: about 148 KB raw, 38 KB
    compressed per page). Pages are not compressed: they carry a CSRF token next to text the
    request can influence, which compression would let an eavesdropper guess (BREACH)."""

    def __init__(self, app: ASGIApp, prefix: str = "/static/", minimum_size: int = 1024) -> None:
        from starlette.middleware.gzip import GZipMiddleware

        self.app = app
        self.prefix = prefix
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size, compresslevel=6)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefix):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
