"""Sign-in pages: the same service as the API, through httpOnly cookies and CSRF tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth import service
from learningos.auth.deps import PageUser, clear_auth_cookies, set_auth_cookies, token_family
from learningos.auth.repository import UserRepository
from learningos.demo import DEMO_EMAIL, DEMO_PASSWORD
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError, InvalidCredentials, RateLimited, ValidationFailed
from learningos.kit.redirects import same_site_path
from learningos.web.forms import page_router, refused
from learningos.web.render import htmx_redirect, redirect_with_flash, render

router = page_router()
AUTH_LAYOUT = "layouts/auth.html"


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
) -> Response:
    form = {"email": email, "remember": bool(remember)}
    try:
        _, issued = await service.login(
            session, services, email=email, password=password, remember=bool(remember), meta=meta
        )
    except (InvalidCredentials, RateLimited) as exc:
        context = {"form": form, "next": same_site_path(next), "demo": await demo_login(session)}
        return refused(request, "auth/login.html", context, exc, fields=(), layout=AUTH_LAYOUT)
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
) -> Response:
    form = {"name": name, "email": email, "accept_terms": bool(accept_terms)}
    mistakes = []
    if password != password_confirm:
        mistakes.append({"field": "password_confirm", "message": "The two passwords don't match."})
    if not accept_terms:
        message = "Please accept the terms to create an account."
        mistakes.append({"field": "accept_terms", "message": message})
    try:
        if mistakes:
            raise ValidationFailed("Please fix the highlighted fields.", details=mistakes)
        user = await service.register(
            session, services, name=name, email=email, password=password, meta=meta
        )
        issued = await service.issue_tokens(session, services, user, remember=False, meta=meta)
    except AppError as exc:
        context = {"form": form, "next": same_site_path(next)}
        return refused(request, "auth/register.html", context, exc, layout=AUTH_LAYOUT)
    set_auth_cookies(request, issued, services.settings.secure_cookies)
    return redirect_with_flash(same_site_path(next), "registered")


@router.post("/logout", name="logout")
async def logout_submit(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    user: PageUser,
) -> Response:
    if user is not None:
        await service.logout(
            session, services, meta=meta, family_id=token_family(request), user_id=user.id
        )
    clear_auth_cookies(request, services.settings.secure_cookies)
    return redirect_with_flash("/login", "signed_out")
