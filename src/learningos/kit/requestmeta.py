from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from learningos.kit.textinput import without_control

# The signed "known device" cookie a successful sign-in leaves (see auth.devices).
DEVICE_COOKIE = "lo_device"


@dataclass(frozen=True)
class RequestMeta:
    """Who is asking: recorded in the audit log and used for rate limits. The IP is the
    peer's, or the forwarded client's when the peer is a trusted proxy (the proxy-headers
    middleware has rewritten it by now)."""

    ip: str = "unknown"
    user_agent: str | None = None
    request_id: str | None = None
    device: str | None = None

    @classmethod
    def of(cls, request: Request) -> RequestMeta:
        return cls(
            ip=request.client.host if request.client else "unknown",
            user_agent=without_control(request.headers.get("user-agent") or "")[:300] or None,
            request_id=request.scope.get("state", {}).get("request_id"),
            device=request.cookies.get(DEVICE_COOKIE),
        )
