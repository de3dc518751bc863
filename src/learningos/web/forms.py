"""What every page route shares: its router, the signed-in learner, and a refused form.

- `page_router()` is the router of each domain's pages.py. Every route on it checks the CSRF
  token of an unsafe request (POST, PUT, PATCH, DELETE) before anything else runs, so no page
  form can forget to, and a test posts to every page route to prove it.
- `SignedIn` is the signed-in user. A signed-out visitor is sent to sign in and come back
  (`/login?next=…`, a 303 or an htmx HX-Redirect); an htmx form post is refused with 401
  instead, because htmx would count a redirect as a success and drop what was typed.
- `refused(...)` shows a form again with what was typed and the errors in place (400).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import URL

from learningos.auth.deps import SAFE_METHODS, PageUser
from learningos.kit.csrf import CSRF_FIELD, verify_csrf
from learningos.kit.errors import AppError, NotAuthenticated
from learningos.kit.redirects import DEFAULT_TARGET, same_site_path
from learningos.models.user import User
from learningos.web.render import htmx_redirect, render

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# A refused form answers 400, except where the status tells the browser more: the sign-in
# was refused, the file is too large or of the wrong kind, or it must wait (Retry-After).
KEPT_STATUSES = frozenset({401, 413, 415, 429})


async def check_csrf(request: Request) -> None:
    """An unsafe page request carries this browser's CSRF token: in the form's hidden field,
    or in the X-CSRF-Token header that htmx and the page scripts send."""
    if request.method in SAFE_METHODS:
        return
    submitted = None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in FORM_TYPES:
        value = (await request.form()).get(CSRF_FIELD)  # parsed once, shared with the route
        submitted = value if isinstance(value, str) else None
    verify_csrf(request, submitted)


class SignInFirst(Exception):
    """Raised by `signed_in`; the page route answers with a redirect to `url`."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class PageRoute(APIRoute):
    """A route of `page_router()`: a visitor who must sign in first is sent to the sign-in
    page. The redirect is answered here, inside the request, so its transaction still
    commits (a rotated or revoked sign-in is kept)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInFirst as exc:
                return htmx_redirect(request, exc.url)

        return page_handler


def page_router() -> APIRouter:
    """The router of a domain's pages (HTML, not in the API schema)."""
    return APIRouter(
        include_in_schema=False, route_class=PageRoute, dependencies=[Depends(check_csrf)]
    )


async def signed_in(request: Request, user: PageUser) -> User:
    if user is not None:
        return user
    if request.method not in SAFE_METHODS and _from_htmx(request):
        raise NotAuthenticated()  # a toast; the form and its draft stay as they are
    raise SignInFirst("/login?next=" + quote(return_to(request), safe="/"))


SignedIn = Annotated[User, Depends(signed_in)]


def return_to(request: Request) -> str:
    """Where to come back after signing in: the page asked for; for an htmx request or a
    form, the page it was sent from (HX-Current-URL, else Referer, on this site only)."""
    if _from_htmx(request) or request.method not in SAFE_METHODS:
        for header in ("hx-current-url", "referer"):
            page = _page_on_this_site(request, request.headers.get(header))
            if page:
                return page
    if request.method in SAFE_METHODS:
        return same_site_path(_path_and_query(request.url))
    return DEFAULT_TARGET


def _from_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def _path_and_query(url: URL) -> str:
    return url.path + (f"?{url.query}" if url.query else "")


def _page_on_this_site(request: Request, address: str | None) -> str | None:
    if not address:
        return None
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or parts.netloc != request.url.netloc:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return same_site_path(path, default="") or None


def form_errors(
    exc: AppError | ValidationError, fields: Collection[str] | None = None
) -> tuple[dict[str, str], str | None]:
    """(message per field, message for the whole form). An error naming a field in `fields`
    (None: any field) is shown beside it; anything else is said once above the form."""
    found: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            field = str(error["loc"][-1]) if error["loc"] else ""
            found.setdefault(field, str(error["msg"]).removeprefix("Value error, "))
    else:
        for item in exc.details if isinstance(exc.details, list) else []:
            if isinstance(item, dict) and item.get("field"):
                found.setdefault(str(item["field"]), str(item.get("message", exc.message)))
    beside = {f: m for f, m in found.items() if f and (fields is None or f in fields)}
    if beside and len(beside) == len(found):
        return beside, None
    if isinstance(exc, AppError):
        return beside, exc.message
    return beside, next(m for f, m in found.items() if f not in beside)


def raise_unless_refusable(exc: AppError | ValidationError) -> None:
    """A server error, or one from a failed write, is raised again rather than shown in the
    form: the request's transaction must roll back, not commit behind a 400 page."""
    if isinstance(exc.__cause__, IntegrityError) or (
        isinstance(exc, AppError) and exc.status_code >= 500
    ):
        raise exc


def refused(
    request: Request,
    template: str,
    context: dict[str, Any],
    exc: AppError | ValidationError,
    *,
    fields: Collection[str] | None = None,
    layout: str = "layouts/app.html",
) -> HTMLResponse:
    """The form in `template` again, `context` holding what was typed (`form`), with the
    errors in place (see `raise_unless_refusable`)."""
    raise_unless_refusable(exc)
    errors, message = form_errors(exc, fields)
    status = exc.status_code if isinstance(exc, AppError) else 400
    return render(
        request,
        template,
        {**context, "errors": errors, "form_error": message},
        status_code=status if status in KEPT_STATUSES else 400,
        layout=layout,
        headers=exc.headers if isinstance(exc, AppError) else None,
    )
