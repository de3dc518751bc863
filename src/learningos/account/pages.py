"""The settings page: profile, learning, notifications and (admins) AI tabs. Every tab is a
plain link and every form a plain POST, so all of it works without JavaScript; a saved form
redirects back to its tab with a message, an invalid one is shown again with its errors."""

from __future__ import annotations

import uuid
from functools import lru_cache
from typing import Annotated, Any

from fastapi import BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import ValidationError

from learningos.account import service
from learningos.account.schemas import SESSION_LENGTHS, AccountUpdate, time_zones
from learningos.auth import service as auth_service
from learningos.auth.deps import set_auth_cookies
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError, Forbidden, NotFound, ValidationFailed
from learningos.models.user import Role, User
from learningos.services import Services
from learningos.web.forms import SignedIn, page_router, raise_unless_refusable, refused
from learningos.web.render import htmx_redirect, redirect_with_flash, render, translations

router = page_router()
TABS = ("profile", "learning", "notifications", "ai")
SAVED_COOKIE = "lo_settings_saved"
# What a saved form says on the next page; the cookie carries only the key.
SAVED = {
    "profile": "Your profile was saved.",
    "avatar": "Your photo was updated.",
    "avatar_removed": "Your photo was removed.",
    "learning": "Your learning preferences were saved.",
    "notifications": "Your notification settings were saved.",
}
REGIONS = (
    "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe",
    "Indian", "Pacific",
)  # fmt: skip
FormStr = Annotated[str, Form(max_length=500)]


@router.get("/settings", name="settings")
async def settings_page(
    request: Request, user: SignedIn, services: ServicesDep, tab: str = "profile"
) -> Response:
    context = await _context(services, user, tab)
    saved = request.cookies.get(SAVED_COOKIE)
    if saved in SAVED:
        context["flash"] = translations().gettext(SAVED[saved])
    response = render(request, "account/settings.html", context)
    if saved is not None:
        response.delete_cookie(SAVED_COOKIE, path="/")
    return response


@router.post("/settings/profile", name="settings_profile")
async def save_profile(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    name: FormStr = "",
    email: FormStr = "",
    timezone: FormStr = "",
) -> Response:
    form = {"name": name, "email": email, "timezone": timezone}
    try:
        await service.update(session, user, AccountUpdate.model_validate(form), meta)
    except (AppError, ValidationError) as exc:
        return await _invalid(request, services, user, "profile", "details", form, exc)
    return _saved(request, "profile")


@router.post("/settings/password", name="settings_password")
async def save_password(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    current_password: Annotated[str, Form(max_length=4096)] = "",
    new_password: Annotated[str, Form(max_length=4096)] = "",
    new_password_confirm: Annotated[str, Form(max_length=4096)] = "",
) -> Response:
    try:
        if not current_password:
            message = "Enter your current password."
            raise ValidationFailed(
                message, details=[{"field": "current_password", "message": message}]
            )
        if new_password != new_password_confirm:
            message = "The two new passwords don't match."
            raise ValidationFailed(
                message, details=[{"field": "new_password_confirm", "message": message}]
            )
        issued = await auth_service.change_password(
            session,
            services,
            user,
            current_password=current_password,
            new_password=new_password,
            meta=meta,
        )
    except AppError as exc:
        return await _invalid(request, services, user, "profile", "password", {}, exc)
    set_auth_cookies(request, issued, services.settings.secure_cookies)
    return redirect_with_flash(_tab_url(request, "profile"), "password_changed")


@router.post("/settings/avatar", name="settings_avatar")
async def save_avatar(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    background: BackgroundTasks,
    avatar: Annotated[UploadFile | None, File()] = None,
) -> Response:
    try:
        data = await service.read_avatar_upload(avatar)
        replaced = await service.set_avatar(session, services, user, data)
    except AppError as exc:
        return await _invalid(request, services, user, "profile", "avatar", {}, exc)
    if replaced:  # after the response, so after the commit
        background.add_task(service.discard_file, services, replaced)
    return _saved(request, "avatar")


@router.post("/settings/avatar/remove", name="settings_avatar_remove")
async def remove_avatar(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    background: BackgroundTasks,
) -> Response:
    replaced = await service.remove_avatar(session, user)
    if replaced:
        background.add_task(service.discard_file, services, replaced)
    return _saved(request, "avatar_removed")


@router.post("/settings/learning", name="settings_learning")
async def save_learning(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    pace: FormStr = "",
    session_minutes: FormStr = "",
    auto_review: Annotated[str | None, Form(max_length=10)] = None,
    difficulty: FormStr = "",
) -> Response:
    learning: dict[str, Any] = {
        "pace": pace,
        "session_minutes": _minutes(session_minutes),
        "auto_review": auto_review is not None,
        "difficulty": difficulty,
    }
    if learning["session_minutes"] == service.view(user).learning.session_minutes:
        learning.pop("session_minutes")  # kept as it is (the coach may have set 20 minutes)
    try:
        changes = AccountUpdate.model_validate({"learning": learning})
        await service.update(session, user, changes, meta)
    except (AppError, ValidationError) as exc:
        return await _invalid(request, services, user, "learning", "learning", learning, exc)
    return _saved(request, "learning")


@router.post("/settings/notifications", name="settings_notifications")
async def save_notifications(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    meta: MetaDep,
    email_reminders: Annotated[str | None, Form(max_length=10)] = None,
    review_reminders: Annotated[str | None, Form(max_length=10)] = None,
    weekly_summary: Annotated[str | None, Form(max_length=10)] = None,
) -> Response:
    """An unticked checkbox is not sent, so whatever is missing is off."""
    switches = {
        "email_reminders": email_reminders is not None,
        "review_reminders": review_reminders is not None,
        "weekly_summary": weekly_summary is not None,
    }
    changes = AccountUpdate.model_validate({"notifications": switches})
    await service.update(session, user, changes, meta)
    return _saved(request, "notifications")


@router.get("/avatars/{user_id}/{name}", name="avatar")
async def avatar(
    user_id: uuid.UUID, name: str, session: SessionDep, services: ServicesDep
) -> Response:
    """A learner's current picture. Its name is random and changes with every upload, so the
    browser may keep it; a replaced or removed picture is gone (404)."""
    data, media_type = await service.avatar_file(session, services, user_id, name)
    headers = {"Cache-Control": "private, max-age=31536000, immutable"}
    return Response(data, media_type=media_type, headers=headers)


# -- helpers ----------------------------------------------------------------------------------


async def _context(services: Services, user: User, tab: str, **extra: Any) -> dict[str, Any]:
    if tab not in TABS:
        raise NotFound("There is no such settings tab.")
    is_admin = user.role == Role.ADMIN.value
    if tab == "ai" and not is_admin:
        raise Forbidden("Only administrators can see the AI settings.")
    account = service.view(user)
    context: dict[str, Any] = {
        "active": "settings",
        "tab": tab,
        "tabs": [t for t in TABS if t != "ai" or is_admin],
        "account": account,
        "failed": None,
        "avatar_max_mb": service.AVATAR_MAX_BYTES // (1 << 20),
    }
    if tab == "profile":
        context["time_zones"] = zone_groups(account.timezone)
    elif tab == "learning":
        current = account.learning.session_minutes
        context["lengths"] = sorted({*SESSION_LENGTHS, current})
    elif tab == "ai":
        context["ai"] = services.ai.status(services.index.embedder.name)
    context.update(extra)
    return context


async def _invalid(
    request: Request,
    services: Services,
    user: User,
    tab: str,
    section: str,
    form: dict[str, Any],
    exc: AppError | ValidationError,
) -> Response:
    """The tab again with the submitted values and the errors of `section` in place."""
    raise_unless_refusable(exc)  # before reading the learner again from a failed session
    context = await _context(services, user, tab, form=form, failed=section)
    return refused(request, "account/settings.html", context, exc)


def _minutes(raw: str) -> int | str:
    try:
        return int(raw)
    except ValueError:
        return raw  # refused by the schema with its message


def _tab_url(request: Request, tab: str) -> str:
    path = str(request.url_for("settings").path)
    return path if tab == "profile" else f"{path}?tab={tab}"


def _saved(request: Request, what: str) -> Response:
    tab = what if what in ("learning", "notifications") else "profile"
    response = htmx_redirect(request, _tab_url(request, tab))
    response.set_cookie(SAVED_COOKIE, what, max_age=60, httponly=True, samesite="lax")
    return response


@lru_cache
def _zone_names() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    groups: dict[str, list[tuple[str, str]]] = {region: [] for region in REGIONS}
    for name in sorted(time_zones()):
        region, _, place = name.partition("/")
        if place and region in groups:
            groups[region].append((name, place.replace("_", " ").replace("/", " / ")))
    return (("UTC", (("UTC", "UTC"),)),) + tuple(
        (region, tuple(groups[region])) for region in REGIONS if groups[region]
    )


def zone_groups(current: str) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """Time zones by region as (value, label) pairs; the learner's own is always listed."""
    groups = list(_zone_names())
    if not any(current == value for _, zones in groups for value, _ in zones):
        groups.insert(0, ("Current", ((current, current),)))
    return groups
