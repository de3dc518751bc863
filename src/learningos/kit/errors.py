"""One error hierarchy; each error knows its HTTP status and machine code."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class ValidationFailed(AppError):
    status_code = 422
    code = "validation_error"
    message = "Some fields are invalid."


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"
    message = "Sign in to continue."

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class InvalidCredentials(NotAuthenticated):
    code = "invalid_credentials"
    message = "Email or password is incorrect."


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
    message = "Your session has expired or is invalid. Sign in again."


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"
    message = "You are not allowed to do this."


class CsrfFailed(Forbidden):
    code = "csrf_failed"
    message = "The form expired or was sent from another site. Reload the page and try again."


class NotFound(AppError):
    status_code = 404
    code = "not_found"
    message = "Not found."


class Conflict(AppError):
    status_code = 409
    code = "conflict"
    message = "This conflicts with the current state."


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"
    message = "The request body is too large."


class RateLimited(AppError):
    status_code = 429
    code = "rate_limited"
    message = "Too many attempts. Try again later."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(
            message or f"Too many attempts. Try again in {retry_after} seconds.",
            details={"retry_after": retry_after},
            headers={"Retry-After": str(retry_after)},
        )


class ServiceUnavailable(AppError):
    status_code = 503
    code = "service_unavailable"
    message = "A service this needs is unavailable."


class UnsupportedMedia(AppError):
    status_code = 415
    code = "unsupported_file"
    message = "This kind of file is not supported. Upload a PDF, a text or a Markdown file."


class AIBudgetExceeded(AppError):
    """A learner's AI allowance for the day or month is used up."""

    status_code = 429
    code = "ai_budget_exceeded"
    message = "You have used your AI allowance for now."

    def __init__(self, message: str, *, retry_after: int, details: dict[str, Any]) -> None:
        super().__init__(
            message,
            details={**details, "retry_after": retry_after},
            headers={"Retry-After": str(max(1, retry_after))},
        )


class WrongPassword(AppError):
    """The current password given to change it is not the account's password. Not a 401: the
    caller is signed in, and a client must not take this for an expired sign-in."""

    status_code = 400
    code = "wrong_password"
    message = "The current password is incorrect."
