"""Accounts and sign-in: the rules shared by the JSON API and the pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth.devices import known_device, new_device_token
from learningos.auth.policy import check_password, normalize_email
from learningos.auth.principal import load_private, load_user
from learningos.auth.repository import AuditRepository, RefreshTokenRepository, UserRepository
from learningos.kit.audit import AuditEvent, audit
from learningos.kit.db import utcnow
from learningos.kit.errors import (
    Conflict,
    InvalidCredentials,
    InvalidToken,
    ValidationFailed,
    WrongPassword,
)
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta
from learningos.kit.security import (
    create_access_token,
    decode_access_token,
    hash_password,
    hash_token,
    new_opaque_token,
    verify_password,
)
from learningos.models.auth import RefreshToken
from learningos.models.jobs import JobName
from learningos.models.user import Role, User
from learningos.services import Services

log = get_logger(__name__)
REVOKED_FAMILY_KEY = "auth:revoked-family:"
LIVE_FAMILY_KEY = "auth:live-family:"
# How long a family found live in the database is trusted without asking again. A
# revocation marks the family revoked in the cache, and that mark is checked first.
LIVE_FAMILY_TTL_SECONDS = 60


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime
    family_id: uuid.UUID
    remember: bool
    # Set by a password sign-in: the known-device cookie to keep (auth.devices).
    device_token: str | None = None

    def as_pair(self) -> dict[str, Any]:
        now = utcnow()
        return {
            "access_token": self.access_token,
            "token_type": "bearer",
            "expires_in": int((self.access_expires_at - now).total_seconds()),
            "refresh_token": self.refresh_token,
            "refresh_expires_in": int((self.refresh_expires_at - now).total_seconds()),
        }


async def register(
    session: AsyncSession,
    services: Services,
    *,
    name: str,
    email: str,
    password: str,
    meta: RequestMeta,
    role: Role = Role.USER,
) -> User:
    """Create an account; the welcome email is sent by a job after the commit."""
    await services.limiter.hit(services.settings.register_limit_per_ip, "register-ip", meta.ip)
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed(
            "Enter your name.", details=[{"field": "name", "message": "Enter your name."}]
        )
    email = normalize_email(email)
    check_password(password, email=email, name=name)
    users = UserRepository(session)
    if await users.get_by_email(email) is not None:
        raise _email_taken()
    user = User(
        name=name, email=email, role=role.value, password_hash=await hash_password(password)
    )
    try:
        await users.add(user)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise _email_taken() from exc
    await audit(session, "auth.register", meta, user.id, role=user.role)
    await services.queue.enqueue(
        session, JobName.AUTH_WELCOME_EMAIL, {"user_id": str(user.id)}, user_id=user.id
    )
    return user


def _email_taken() -> Conflict:
    message = "An account with this email already exists. Sign in instead."
    return Conflict(message, details=[{"field": "email", "message": message, "type": "unique"}])


async def login(
    session: AsyncSession,
    services: Services,
    *,
    email: str,
    password: str,
    remember: bool,
    meta: RequestMeta,
) -> tuple[User, IssuedTokens]:
    """Check the credentials and start a token family.

    Failures are counted per (email, IP) and per IP; past either limit an unknown device
    gets 429 before its password is even checked. A known device (one that signed in to
    this account before) is judged only by its own failures, so nobody elsewhere can lock
    its owner out."""
    settings = services.settings
    key = email.strip().lower()[:320]
    user = await UserRepository(session).get_by_email(key)
    device = known_device(services.signing_secret, meta.device, user.id if user else None)
    counters = (
        [(settings.login_limit_per_email_ip, "login-device", device)]
        if device
        else [
            (settings.login_limit_per_ip, "login-ip", meta.ip),
            (settings.login_limit_per_email_ip, "login-email-ip", key, meta.ip),
        ]
    )
    if device is None:
        for limit, *identifiers in counters:
            await services.limiter.check(limit, *identifiers)
    ok = await verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        # The failure is recorded in its own transaction: the request's is rolled back.
        user_id = user.id if user else None
        await session.rollback()
        async with services.db.transaction() as own:
            await audit(own, "auth.login_failed", meta, user_id, email=key)
        for limit, *identifiers in counters:
            await services.limiter.hit(limit, *identifiers)
        raise InvalidCredentials()
    user.last_login_at = utcnow()
    tokens = await issue_tokens(session, services, user, remember=remember, meta=meta)
    await audit(session, "auth.login", meta, user.id, remember=remember, known_device=bool(device))
    device_token = meta.device if device else new_device_token(services.signing_secret, user.id)
    return user, replace(tokens, device_token=device_token)


async def issue_tokens(
    session: AsyncSession,
    services: Services,
    user: User,
    *,
    remember: bool,
    meta: RequestMeta,
    family_id: uuid.UUID | None = None,
) -> IssuedTokens:
    settings = services.settings
    family_id = family_id or uuid.uuid4()
    refresh = new_opaque_token()
    refresh_expires = utcnow() + timedelta(days=settings.refresh_token_days)
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=hash_token(refresh),
            expires_at=refresh_expires,
            remember=remember,
            ip=meta.ip,
            user_agent=meta.user_agent,
        )
    )
    access, access_expires = create_access_token(
        services.signing_secret,
        user.id,
        family_id,
        user.role,
        settings.access_token_minutes,
    )
    await session.flush()
    return IssuedTokens(access, access_expires, refresh, refresh_expires, family_id, remember)


class JustRotated(InvalidToken):
    """The token was rotated moments ago by a parallel request of the same browser."""

    def __init__(self, user_id: uuid.UUID) -> None:
        super().__init__()
        self.user_id = user_id


async def refresh(
    session: AsyncSession,
    services: Services,
    *,
    refresh_token: str,
    meta: RequestMeta,
    grace_seconds: int = 0,
) -> tuple[User, IssuedTokens]:
    """Rotate a refresh token. Presenting one that was already rotated is treated as theft:
    the whole family is revoked, in its own transaction so the revocation survives the error.

    With `grace_seconds` (the pages' cookie path), a token rotated that recently by a
    parallel request of the same browser raises JustRotated instead of revoking."""
    tokens = RefreshTokenRepository(session)
    row = await tokens.get_by_hash(hash_token(refresh_token))
    now = utcnow()
    if row is None or row.revoked_at is not None:
        raise InvalidToken()
    if row.expires_at <= now:
        raise InvalidToken("Your session has expired. Sign in again.")
    if row.used_at is not None or not await tokens.mark_used(row.id, now):
        await session.refresh(row)
        family_id, user_id, used_at = row.family_id, row.user_id, row.used_at
        if grace_seconds and used_at and (now - used_at).total_seconds() <= grace_seconds:
            raise JustRotated(user_id)
        await session.rollback()  # release this request's locks before the revocation
        await _revoke_family_now(services, family_id, user_id, "reuse", meta)
        raise InvalidToken(
            "This sign-in was ended for safety because an old token was reused. Sign in again."
        )
    user = await UserRepository(session).get(row.user_id)
    if user is None or not user.is_active:
        raise InvalidToken()
    issued = await issue_tokens(
        session, services, user, remember=row.remember, meta=meta, family_id=row.family_id
    )
    await audit(session, "auth.refresh", meta, user.id)
    return user, issued


async def _revoke_family_now(
    services: Services, family_id: uuid.UUID, user_id: uuid.UUID, reason: str, meta: RequestMeta
) -> None:
    async with services.db.transaction() as own:
        await RefreshTokenRepository(own).revoke_family(family_id, utcnow(), reason)
        await audit(own, "auth.refresh_reuse", meta, user_id, family_id=str(family_id))
    await _mark_family_revoked(services, family_id)


async def _mark_family_revoked(services: Services, family_id: uuid.UUID) -> None:
    # Access tokens are stateless; remember revoked families for as long as one can live.
    ttl = services.settings.access_token_minutes * 60 + 60
    await services.cache.set(REVOKED_FAMILY_KEY + str(family_id), "1", ttl)


async def logout(
    session: AsyncSession,
    services: Services,
    *,
    meta: RequestMeta,
    family_id: uuid.UUID | None = None,
    refresh_token: str | None = None,
    user_id: uuid.UUID | None = None,
) -> None:
    """End a sign-in: revoke its refresh-token family and its access tokens."""
    tokens = RefreshTokenRepository(session)
    if refresh_token and family_id is None:
        row = await tokens.get_by_hash(hash_token(refresh_token))
        if row is not None:
            family_id, user_id = row.family_id, row.user_id
    if family_id is None:
        return
    await tokens.revoke_family(family_id, utcnow(), "logout")
    await _mark_family_revoked(services, family_id)
    await audit(session, "auth.logout", meta, user_id)


async def authenticate(
    session: AsyncSession, services: Services, access_token: str
) -> tuple[User, uuid.UUID]:
    """The signed-in user behind an access token, or InvalidToken."""
    claims = decode_access_token(services.signing_secret, access_token)
    if not await _family_is_live(session, services, claims.family_id, claims.user_id):
        raise InvalidToken("You have been signed out. Sign in again.")
    user = await load_user(session, services, claims.user_id)
    if user is None or not user.is_active:
        raise InvalidToken()
    return user, claims.family_id


async def _family_is_live(
    session: AsyncSession, services: Services, family_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """A token counts only while its sign-in (refresh-token family) is live: a signature
    alone is not enough, and a revocation survives a restart of the embedded mode's
    in-memory cache because a cache miss asks the database."""
    if await services.cache.get(REVOKED_FAMILY_KEY + str(family_id)):
        return False
    live_key = LIVE_FAMILY_KEY + f"{family_id}:{user_id}"
    if await services.cache.get(live_key):
        return True
    if not await RefreshTokenRepository(session).family_is_live(family_id, user_id, utcnow()):
        await _mark_family_revoked(services, family_id)
        return False
    await services.cache.set(live_key, "1", LIVE_FAMILY_TTL_SECONDS)
    return True


async def change_password(
    session: AsyncSession,
    services: Services,
    user: User,
    *,
    current_password: str,
    new_password: str,
    meta: RequestMeta,
) -> IssuedTokens:
    """Change the password, end every sign-in of this user, and start a fresh one here.
    Attempts are limited like sign-ins, so a borrowed session cannot guess the password; a
    wrong current password is a 400, not a 401: the caller is signed in."""
    await services.limiter.hit(
        services.settings.login_limit_per_email_ip, "password-change", str(user.id)
    )
    await load_private(session, user, "password_hash")
    if not await verify_password(user.password_hash, current_password):
        raise WrongPassword(
            details=[
                {"field": "current_password", "message": "The current password is incorrect."}
            ],
        )
    check_password(new_password, email=user.email, name=user.name, field="new_password")
    if await verify_password(user.password_hash, new_password):
        raise ValidationFailed(
            "Choose a password different from the current one.",
            details=[{"field": "new_password", "message": "Choose a different password."}],
        )
    user.password_hash = await hash_password(new_password)
    user.password_changed_at = utcnow()
    tokens = RefreshTokenRepository(session)
    for family in await tokens.live_families(user.id, utcnow()):
        await tokens.revoke_family(family, utcnow(), "password_changed")
        await _mark_family_revoked(services, family)
    await audit(session, "auth.password_changed", meta, user.id)
    return await issue_tokens(session, services, user, remember=False, meta=meta)


async def create_user(
    session: AsyncSession, services: Services, *, name: str, email: str, password: str, role: Role
) -> User:
    """Operator path (CLI): no rate limit, same validation."""
    email = normalize_email(email)
    check_password(password, email=email, name=name)
    users = UserRepository(session)
    if await users.get_by_email(email) is not None:
        raise _email_taken()
    user = await users.add(
        User(
            name=name.strip(),
            email=email,
            role=role.value,
            password_hash=await hash_password(password),
        )
    )
    await audit(session, "auth.user_created", RequestMeta(ip="cli"), user.id, role=role.value)
    return user


async def recent_audit(session: AsyncSession, user_id: uuid.UUID) -> list[AuditEvent]:
    return await AuditRepository(session).for_user(user_id)
