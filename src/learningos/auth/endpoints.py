"""Accounts JSON API: /api/v1/auth/* and /api/v1/me."""

from __future__ import annotations

from fastapi import Request, Response, status

from learningos.auth import service
from learningos.auth.deps import CurrentUser, set_device_cookie, token_family
from learningos.auth.schemas import (
    LoginIn,
    LoginOut,
    LogoutIn,
    PasswordChangeIn,
    RefreshIn,
    RegisterIn,
    TokenPair,
    UserOut,
)
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router

router = api_router("/api/v1", ["auth"])


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def register(body: RegisterIn, session: SessionDep, services: ServicesDep, meta: MetaDep):
    """Create an account. The email is normalised and must be unused; the password must
    follow the policy (10–128 characters, not common, not the email or name)."""
    return await service.register(
        session, services, name=body.name, email=body.email, password=body.password, meta=meta
    )


@router.post("/auth/login", response_model=LoginOut)
async def login(
    request: Request, body: LoginIn, session: SessionDep, services: ServicesDep, meta: MetaDep
):
    """Sign in: a short-lived access token and a rotating refresh token. The response also
    sets the known-device cookie: failed sign-ins from elsewhere never lock this client out."""
    user, issued = await service.login(
        session,
        services,
        email=body.email,
        password=body.password,
        remember=body.remember,
        meta=meta,
    )
    set_device_cookie(request, issued, services.settings.secure_cookies)
    return {**issued.as_pair(), "user": UserOut.model_validate(user)}


@router.post("/auth/refresh", response_model=TokenPair)
async def refresh(body: RefreshIn, session: SessionDep, services: ServicesDep, meta: MetaDep):
    """Exchange a refresh token for a new pair. Each refresh token works once; reusing one
    revokes every token of that sign-in."""
    _, issued = await service.refresh(
        session, services, refresh_token=body.refresh_token, meta=meta
    )
    return issued.as_pair()


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    user: CurrentUser,
    body: LogoutIn | None = None,
) -> Response:
    """Sign out: revoke this sign-in's refresh tokens and access tokens."""
    await service.logout(
        session,
        services,
        meta=meta,
        family_id=token_family(request),
        user_id=user.id,
    )
    if body and body.refresh_token:
        await service.logout(session, services, meta=meta, refresh_token=body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser):
    """The signed-in user."""
    return user


@router.post("/me/password", response_model=TokenPair)
async def change_password(
    body: PasswordChangeIn,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
):
    """Change the password. Every other sign-in ends; a fresh token pair is returned."""
    issued = await service.change_password(
        session,
        services,
        user,
        current_password=body.current_password,
        new_password=body.new_password,
        meta=meta,
    )
    return issued.as_pair()
