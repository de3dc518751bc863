"""CSRF protection for cookie-authenticated requests (double-submit token).

Every browser gets a random token in a SameSite cookie; forms echo it in a
hidden field and htmx sends it in the X-CSRF-Token header. A state-changing
request authenticated by cookie must present a matching token.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from learningos.kit.errors import CsrfFailed

CSRF_COOKIE = "lo_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class CookieMiddleware:
    """Gives every browser a CSRF token (exposed as scope state) and writes the cookies
    that handlers queued with `queue_cookie` (e.g. rotated sign-in cookies)."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(("/static", "/health")):
            await self.app(scope, receive, send)
            return
        existing = _cookie(scope, CSRF_COOKIE)
        token = existing if existing and 20 <= len(existing) <= 100 else None
        if token is None and not scope.get("path", "").startswith("/api/"):
            token = secrets.token_urlsafe(32)  # API clients use bearer tokens, not this cookie
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if token is not None and token != existing:
                    cookie = f"{CSRF_COOKIE}={token}; Path=/; SameSite=Lax; Max-Age=31536000"
                    headers.append("set-cookie", cookie + ("; Secure" if self.secure else ""))
                for cookie in scope["state"].get("queued_cookies", []):
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_wrapper)


def queue_cookie(
    request: Request, name: str, value: str, *, max_age: int | None, secure: bool
) -> None:
    """Set an httpOnly cookie on whatever response this request ends with."""
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    request.scope["state"].setdefault("queued_cookies", []).append("; ".join(parts))


def verify_csrf(request: Request, submitted: str | None) -> None:
    expected = request.scope.get("state", {}).get("csrf_token")
    if not expected or request.cookies.get(CSRF_COOKIE) != expected:
        # The browser sent no cookie (so the token it may echo was never issued to it).
        raise CsrfFailed()
    submitted = submitted or request.headers.get(CSRF_HEADER)
    if not submitted or not hmac.compare_digest(submitted.encode(), str(expected).encode()):
        raise CsrfFailed()


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None
