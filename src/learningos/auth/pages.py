"""Sign-in pages: the same service as the API, through httpOnly cookies and CSRF tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth import service
from learningos.auth.deps import PageUser, clear_auth_cookies, set_auth_cookies, token_family
from learningos.auth.repository import UserRepository
from learningos.demo import DEMO_EMAIL, DEMO_PASSWORD
from learningos.kit.csrf import verify_csrf
from learningos.kit.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError, InvalidCredentials, RateLimited
from learningos.kit.redirects import same_site_path
from learningos.web.render import htmx_redirect, redirect_with_flash, render

router = APIRouter(include_in_schema=False)
AUTH_LAYOUT = "layouts/auth.html"


def field_errors(exc: AppError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for item in exc.details if isinstance(exc.details, list) else []:
        if isinstance(item, dict) and item.get("field"):
            errors.setdefault(str(item["field"]), str(item.get("message", exc.message)))
    return errors


async def demo_login(session: AsyncSession) -> dict[str, str] | None:
    """The demo learner's credentials when that account exists (one indexed lookup), for the
    login page's "Try the demo" note; see `learningos seed --demo`."""
    user = await UserRepository(session).get_by_email(DEMO_EMAIL)
    if user is None or not user.is_active:
        return None
    return {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}


@router.get("/login", name="login")
async def login_page(
    request: Request, user: PageUser, session: SessionDep, next: str | None = None
) -> Response:
    if user is not None:
        return htmx_redirect(request, same_site_path(next))
    return render(
        request,
        "auth/login.html",
        {"next": same_site_path(next), "demo": await demo_login(session)},
        layout=AUTH_LAYOUT,
    )


@router.post("/login", name="login_submit")
async def login_submit(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=4096)] = "",
    remember: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form(max_length=500)] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    verify_csrf(request, csrf_token)
    form = {"email": email, "remember": bool(remember)}
    try:
        _, issued = await service.login(
            session, services, email=email, password=password, remember=bool(remember), meta=meta
        )
    except (InvalidCredentials, RateLimited) as exc:
        return render(
            request,
            "auth/login.html",
            {
                "form": form,
                "form_error": exc.message,
                "next": same_site_path(next),
                "demo": await demo_login(session),
            },
            status_code=exc.status_code,
            layout=AUTH_LAYOUT,
            headers=exc.headers,
        )
    set_auth_cookies(request, issued, services.settings.secure_cookies)
    return htmx_redirect(request, same_site_path(next))


@router.get("/register", name="register")
async def register_page(request: Request, user: PageUser, next: str | None = None) -> Response:
    if user is not None:
        return htmx_redirect(request, same_site_path(next))
    return render(request, "auth/register.html", {"next": same_site_path(next)}, layout=AUTH_LAYOUT)


@router.post("/register", name="register_submit")
async def register_submit(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    name: Annotated[str, Form(max_length=500)] = "",
    email: Annotated[str, Form(max_length=500)] = "",
    password: Annotated[str, Form(max_length=4096)] = "",
    password_confirm: Annotated[str, Form(max_length=4096)] = "",
    accept_terms: Annotated[str | None, Form()] = None,
    next: Annotated[str | None, Form(max_length=500)] = None,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    verify_csrf(request, csrf_token)
    form = {"name": name, "email": email, "accept_terms": bool(accept_terms)}
    errors: dict[str, str] = {}
    if password != password_confirm:
        errors["password_confirm"] = "The two passwords don't match."  # noqa: S105
    if not accept_terms:
        errors["accept_terms"] = "Please accept the terms to create an account."
    try:
        if errors:
            raise AppError("Please fix the highlighted fields.")
        user = await service.register(
            session, services, name=name, email=email, password=password, meta=meta
        )
        issued = await service.issue_tokens(session, services, user, remember=False, meta=meta)
    except AppError as exc:
        errors = {**field_errors(exc), **errors}
        return render(
            request,
            "auth/register.html",
            {
                "form": form,
                "errors": errors,
                "form_error": None if errors else exc.message,
                "next": same_site_path(next),
            },
            status_code=400
            if exc.status_code < 500 and exc.status_code != 429
            else exc.status_code,
            layout=AUTH_LAYOUT,
            headers=exc.headers,
        )
    set_auth_cookies(request, issued, services.settings.secure_cookies)
    return redirect_with_flash(same_site_path(next), "registered")


@router.post("/logout", name="logout")
async def logout_submit(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    user: PageUser,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    verify_csrf(request, csrf_token)
    if user is not None:
        await service.logout(
            session, services, meta=meta, family_id=token_family(request), user_id=user.id
        )
    clear_auth_cookies(request, services.settings.secure_cookies)
    return redirect_with_flash("/login", "signed_out")
