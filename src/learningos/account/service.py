"""The learner's own account: profile, preferences, password and profile picture. Shared by the
JSON API (/api/v1/users/me) and the settings page; the jobs read the same preferences."""

from __future__ import annotations

import secrets
import tempfile
import uuid
from pathlib import Path, PurePosixPath
from typing import Any

import anyio
from fastapi import UploadFile
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.account.images import MEDIA_TYPES, sniff_image
from learningos.account.schemas import (
    AccountOut,
    AccountUpdate,
    LearningPrefs,
    NotificationPrefs,
)
from learningos.auth.policy import normalize_email
from learningos.auth.principal import load_private
from learningos.auth.repository import UserRepository
from learningos.kit.audit import audit
from learningos.kit.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
)
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta
from learningos.models.user import User, default_preferences
from learningos.services import Services

log = get_logger(__name__)
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_PREFIX = "/avatars"
EMAIL_TAKEN = "Another account already uses this email address."


# -- reading ----------------------------------------------------------------------------------


def preferences_of(user: User) -> dict[str, Any]:
    """The learner's preferences with defaults for anything never set (a fresh copy)."""
    defaults = default_preferences()
    stored = user.preferences or {}
    merged = {**defaults, **stored}
    merged["notifications"] = {**defaults["notifications"], **(stored.get("notifications") or {})}
    return merged


def learning_prefs(user: User) -> LearningPrefs:
    """How the learner wants to learn (pace, session length, auto-review, difficulty), typed,
    with the defaults for anything never set: the one way the learning loop reads them."""
    prefs = preferences_of(user)
    return LearningPrefs(
        pace=str(prefs["pace"]),
        session_minutes=int(prefs["session_minutes"]),
        auto_review=bool(prefs["auto_review"]),
        difficulty=str(prefs["difficulty"]),
    )


def view(user: User) -> AccountOut:
    prefs = preferences_of(user)
    notifications = prefs["notifications"]
    return AccountOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=user.role,
        tier=user.tier,
        avatar_url=user.avatar_url,
        timezone=str(prefs["timezone"]),
        learning=learning_prefs(user),
        notifications=NotificationPrefs(
            email_reminders=bool(notifications["email_reminders"]),
            review_reminders=bool(notifications["review_reminders"]),
            weekly_summary=bool(notifications["weekly_summary"]),
        ),
        created_at=user.created_at,
    )


def wants_email(user: User, kind: str) -> bool:
    """Whether the learner wants this kind of email (`review_reminders`, `weekly_summary`);
    `email_reminders` off turns every reminder and summary email off."""
    notifications = preferences_of(user)["notifications"]
    return user.is_active and bool(notifications["email_reminders"]) and bool(notifications[kind])


# -- changing ---------------------------------------------------------------------------------


async def update(
    session: AsyncSession, user: User, changes: AccountUpdate, meta: RequestMeta
) -> User:
    """Apply the fields that were sent: name, email (normalised, unused by anyone else),
    time zone, learning preferences and notification switches. Everything is checked before
    anything changes, so a refused update changes nothing."""
    data = changes.model_dump(exclude_unset=True, exclude_none=True)
    email = await _new_email(session, user, data["email"]) if "email" in data else None
    prefs = preferences_of(user)
    if "timezone" in data:
        prefs["timezone"] = data["timezone"]
    prefs.update(data.get("learning", {}))
    prefs["notifications"].update(data.get("notifications", {}))
    if "name" in data:
        user.name = data["name"]
    if email is not None:
        user.email = email
        await audit(session, "account.email_changed", meta, user.id)
    if prefs != user.preferences:
        user.preferences = prefs  # a new dict: the JSON column sees the change
    try:
        await session.flush()
    except IntegrityError as exc:  # the address was taken a moment ago by another request
        raise _email_taken() from exc
    return user


async def _new_email(session: AsyncSession, user: User, raw: str) -> str | None:
    """The normalised new address, None when unchanged; 409 when another account has it."""
    email = normalize_email(raw)
    if email == user.email:
        return None
    other = await UserRepository(session).get_by_email(email)
    if other is not None and other.id != user.id:
        raise _email_taken()
    return email


def _email_taken() -> Conflict:
    return Conflict(EMAIL_TAKEN, details=[{"field": "email", "message": EMAIL_TAKEN}])


# -- profile picture --------------------------------------------------------------------------


async def read_avatar_upload(file: UploadFile | None) -> bytes:
    """The uploaded picture's bytes, refused above AVATAR_MAX_BYTES without reading more."""
    if file is None:
        message = "Choose a photo to upload."
        raise ValidationFailed(message, details=[{"field": "avatar", "message": message}])
    data = await file.read(AVATAR_MAX_BYTES + 1)
    if len(data) > AVATAR_MAX_BYTES:
        limit = AVATAR_MAX_BYTES // (1 << 20)
        message = f"The photo is larger than {limit} MB. Choose a smaller one."
        raise PayloadTooLarge(
            message,
            details=[{"field": "avatar", "message": message, "limit_bytes": AVATAR_MAX_BYTES}],
        )
    return data


async def set_avatar(
    session: AsyncSession, services: Services, user: User, data: bytes
) -> str | None:
    """Store a new profile picture (PNG, JPEG or WebP, checked from its bytes) and return the
    storage key of the one it replaces: delete that after the commit (`discard_file`)."""
    image = sniff_image(data)
    key = f"avatars/{user.id}/{secrets.token_hex(16)}.{image.extension}"
    await _put(services, key, data)
    await load_private(session, user, "avatar_key")
    previous = user.avatar_key
    user.avatar_key = key
    user.avatar_url = avatar_url(user.id, key)
    await session.flush()
    return previous


async def remove_avatar(session: AsyncSession, user: User) -> str | None:
    """Go back to initials; returns the storage key to delete after the commit."""
    await load_private(session, user, "avatar_key")
    previous = user.avatar_key
    user.avatar_key = None
    user.avatar_url = None
    await session.flush()
    return previous


async def discard_file(services: Services, key: str) -> None:
    """Delete a replaced picture (run after the response; a failure only leaves a file)."""
    try:
        await services.storage.delete(key)
    except Exception as exc:  # noqa: BLE001 - an orphaned file must not fail anything
        log.warning("account.avatar_delete_failed", key=key, error=str(exc))


def avatar_url(user_id: uuid.UUID, key: str) -> str:
    """The app's own URL for a stored picture; its random file name changes with every upload,
    so it can be cached for good, and it cannot be guessed from the user id."""
    return f"{AVATAR_PREFIX}/{user_id}/{PurePosixPath(key).name}"


async def avatar_file(
    session: AsyncSession, services: Services, user_id: uuid.UUID, name: str
) -> tuple[bytes, str]:
    """The bytes and media type of a learner's current picture, by the name in its URL."""
    key = await UserRepository(session).avatar_key(user_id)
    if key is None or PurePosixPath(key).name != name:
        raise NotFound("No such picture.")
    media_type = MEDIA_TYPES.get(PurePosixPath(key).suffix.lstrip("."))
    if media_type is None:
        raise NotFound("No such picture.")
    try:
        async with services.storage.local_copy(key) as path:
            data = await anyio.to_thread.run_sync(path.read_bytes)
    except FileNotFoundError as exc:
        raise NotFound("No such picture.") from exc
    return data, media_type


async def _put(services: Services, key: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="learningos-avatar-") as folder:
        source = Path(folder) / "upload"
        await anyio.to_thread.run_sync(source.write_bytes, data)
        await services.storage.put(key, source)
