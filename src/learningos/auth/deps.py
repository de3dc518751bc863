"""Who is signed in: bearer tokens for the API, httpOnly cookies for the pages."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request

from learningos.auth import service
from learningos.auth.devices import DEVICE_DAYS
from learningos.auth.principal import load_user
from learningos.deps import ServicesDep, SessionDep
from learningos.kit.csrf import queue_cookie, verify_csrf
from learningos.kit.errors import Forbidden, InvalidToken, NotAuthenticated
from learningos.kit.requestmeta import DEVICE_COOKIE, RequestMeta
from learningos.models.user import Role, User

ACCESS_COOKIE = "lo_access"
REFRESH_COOKIE = "lo_refresh"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
PARALLEL_REFRESH_GRACE_S = 20


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def current_user(request: Request, session: SessionDep, services: ServicesDep) -> User:
    """API authentication: a bearer token, or the page cookies plus a CSRF token."""
    token = bearer_token(request)
    if token is None:
        token = request.cookies.get(ACCESS_COOKIE)
        if token is None:
            raise NotAuthenticated()
        if request.method not in SAFE_METHODS:
            verify_csrf(request, None)
    user, family = await service.authenticate(session, services, token)
    request.state.user = user
    request.state.token_family = family
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_role(*roles: Role):
    allowed = {r.value for r in roles} | {Role.ADMIN.value}

    async def check(user: CurrentUser) -> User:
        if user.role not in allowed:
            raise Forbidden()
        return user

    return check


AdminUser = Annotated[User, Depends(require_role(Role.ADMIN))]


async def page_user(request: Request, session: SessionDep, services: ServicesDep) -> User | None:
    """The signed-in user for a page, refreshing an expired access cookie from the
    refresh cookie (rotating both); None when signed out."""
    access = request.cookies.get(ACCESS_COOKIE)
    if access:
        try:
            user, family = await service.authenticate(session, services, access)
        except InvalidToken:
            pass
        else:
            request.state.user, request.state.token_family = user, family
            return user
    refresh_token = request.cookies.get(REFRESH_COOKIE)
    if not refresh_token:
        return None
    try:
        user, issued = await service.refresh(
            session,
            services,
            refresh_token=refresh_token,
            meta=RequestMeta.of(request),
            grace_seconds=PARALLEL_REFRESH_GRACE_S,
        )
    except service.JustRotated as race:
        # A parallel request of this browser rotated the cookie an instant ago and its
        # response carries the new one; serve this request without rotating again.
        joined = await load_user(session, services, race.user_id)
        if joined is None or not joined.is_active:
            return None
        request.state.user = joined
        return joined
    except InvalidToken:
        clear_auth_cookies(request, services.settings.secure_cookies)
        return None
    set_auth_cookies(request, issued, services.settings.secure_cookies)
    request.state.user, request.state.token_family = user, issued.family_id
    return user


PageUser = Annotated[User | None, Depends(page_user)]


def set_auth_cookies(request: Request, issued: service.IssuedTokens, secure: bool) -> None:
    refresh_age = int((issued.refresh_expires_at - issued.access_expires_at).total_seconds())
    # "Remember me" keeps the sign-in across browser restarts; otherwise session cookies.
    access_age = refresh_age if issued.remember else None
    queue_cookie(request, ACCESS_COOKIE, issued.access_token, max_age=access_age, secure=secure)
    queue_cookie(
        request,
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=refresh_age if issued.remember else None,
        secure=secure,
    )
    set_device_cookie(request, issued, secure)


def set_device_cookie(request: Request, issued: service.IssuedTokens, secure: bool) -> None:
    """Remember this browser as a known device of the account (after a password sign-in)."""
    if issued.device_token:
        age = DEVICE_DAYS * 86400
        queue_cookie(request, DEVICE_COOKIE, issued.device_token, max_age=age, secure=secure)


def clear_auth_cookies(request: Request, secure: bool) -> None:
    queue_cookie(request, ACCESS_COOKIE, "", max_age=0, secure=secure)
    queue_cookie(request, REFRESH_COOKIE, "", max_age=0, secure=secure)


def token_family(request: Request) -> uuid.UUID | None:
    return getattr(request.state, "token_family", None)


async def optional_user(
    request: Request, session: SessionDep, services: ServicesDep
) -> User | None:
    """For what guests may see too (listings, reviews, covers): a bearer token if sent
    (invalid: 401), else the page cookies (refreshed as a page would), else None."""
    if bearer_token(request) is not None:
        return await current_user(request, session, services)
    return await page_user(request, session, services)


OptionalUser = Annotated[User | None, Depends(optional_user)]
