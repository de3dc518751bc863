"""Page rendering: Jinja2 templates with i18n, a layout chosen per request (full or htmx)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from starlette.types import Scope

from learningos.kit.money import price_with_khr, usd
from learningos.kit.redirects import same_site_path
from learningos.web.richtext import rich_text

TEMPLATES_DIR = Path(__file__).parent / "templates"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
DEFAULT_KHR_PER_USD = 4100
FLASH_COOKIE = "lo_flash"
# Flash messages travel as a key in a short-lived cookie, never as free text.
FLASH_MESSAGES = {
    "signed_out": "You have been signed out.",
    "registered": "Welcome! Your account is ready.",
    "signed_in": "Signed in.",
    "password_changed": "Your password was changed.",
    "already_uploaded": "You already have this material, so it was not uploaded again.",
    "content_renamed": "Renamed.",
    "listing_saved": "Listing details saved.",
    "map_updated": "Learning map updated.",
    "map_regenerating": "Building a new map. It will wait here until you replace the old one.",
    "map_replaced": "The learning map was replaced with the new one.",
    "map_kept": "The new map was discarded; your map is unchanged.",
    "content_deleted": "Deleted, with everything made from it.",
    "share_opened": "This material was shared with you. It is in your library now.",
    "payment_settings_saved": "Your payment settings were saved.",
    "khqr_uploaded": "Your KHQR image was checked and saved.",
    "khqr_removed": "Your KHQR image was removed; ABA KHQR is off.",
    "donations_changed": "Donation settings for this material were saved.",
    "creator_onboarded": "You are a creator now: you can set a price on your materials.",
    "purchase_pending": "Thank you! Access opens as soon as the payment is confirmed.",
    "takedown_sent": "Your request was sent to the administrators.",
    "webhook_rerun": "The event will be processed again in a moment.",
    "added_to_library": "Added to your library.",
    "rated": "Thank you: your rating was saved.",
    "rating_removed": "Your rating was removed.",
}


@lru_cache
def templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    env.install_gettext_translations(translations(), newstyle=True)  # type: ignore[attr-defined]
    env.filters["rich"] = rich_text
    env.filters["price"] = price_filter
    env.filters["usd"] = usd
    return Jinja2Templates(env=env)


@pass_context
def price_filter(context: Context, cents: int) -> str:
    """`{{ cents | price }}` → "$9.99 (≈ ៛41,000)", at the configured riel rate."""
    request = context.get("request")
    services = getattr(getattr(request, "app", None), "state", None)
    settings = getattr(getattr(services, "services", None), "settings", None)
    rate = settings.khr_per_usd if settings is not None else DEFAULT_KHR_PER_USD
    return price_with_khr(int(cents), rate)


@lru_cache
def translations() -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), ["en"])


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and not request.headers.get(
        "hx-history-restore-request"
    )


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    layout: str = "layouts/app.html",
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    ctx: dict[str, Any] = {
        "user": getattr(request.state, "user", None),
        "csrf_token": request.scope.get("state", {}).get("csrf_token", ""),
        "flash": _flash(request),
        "is_htmx": is_htmx(request),
        "form": {},
        "errors": {},
        "form_error": None,
    }
    ctx.update(context or {})
    ctx["layout"] = "layouts/fragment.html" if ctx["is_htmx"] else layout
    response = templates().TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )
    if ctx["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def _flash(request: Request) -> str | None:
    message = FLASH_MESSAGES.get(request.cookies.get(FLASH_COOKIE, ""))
    return translations().gettext(message) if message else None


def redirect_with_flash(url: str, flash: str | None = None, status_code: int = 303) -> Response:
    return with_flash(RedirectResponse(same_site_path(url), status_code=status_code), flash)


def with_flash(response: Response, flash: str | None) -> Response:
    """Show the message `flash` (a key of FLASH_MESSAGES) on the next page rendered."""
    if flash:
        assert flash in FLASH_MESSAGES
        response.set_cookie(FLASH_COOKIE, flash, max_age=60, httponly=True, samesite="lax")
    return response


def htmx_redirect(request: Request, url: str) -> Response:
    """A redirect that htmx follows as a full navigation (same-site paths only)."""
    url = same_site_path(url)
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    410: "No longer available",
    413: "Too large",
    422: "Check your input",
    429: "Slow down",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def render_error_page(scope: Scope, status: int, message: str, headers: dict[str, str]) -> Response:
    request = Request(scope)
    return render(
        request,
        "errors/error.html",
        {
            "status_code": status,
            "title": TITLES.get(status, "Error"),
            "message": message,
            "request_id": scope.get("state", {}).get("request_id", ""),
        },
        status_code=status,
        layout="layouts/public.html",
        headers=headers,
    )
