from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from learningos.kit.textinput import without_control


@dataclass(frozen=True)
class RequestMeta:
    """Who is asking: recorded in the audit log and used for rate limits."""

    ip: str = "unknown"
    user_agent: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, request: Request) -> RequestMeta:
        return cls(
            ip=request.client.host if request.client else "unknown",
            user_agent=without_control(request.headers.get("user-agent") or "")[:300] or None,
            request_id=request.scope.get("state", {}).get("request_id"),
        )
