"""The signed-in learner's account: /api/v1/users/me (profile, preferences, notification
switches), its password and its profile picture."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import BackgroundTasks, File, UploadFile

import learningos.account.tasks  # noqa: F401 - registers the account jobs with the queue
from learningos.account import service
from learningos.account.schemas import AccountOut, AccountUpdate
from learningos.auth.deps import CurrentUser
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router

router = api_router("/api/v1", ["account"])


@router.get("/users/me", response_model=AccountOut)
async def account_me(user: CurrentUser) -> Any:
    """Your profile, learning preferences and notification switches."""
    return service.view(user)


@router.patch("/users/me", response_model=AccountOut)
async def account_update(
    body: AccountUpdate, user: CurrentUser, session: SessionDep, meta: MetaDep
) -> Any:
    """Change any of: name, email (409 when another account has it), timezone (an IANA name),
    `learning` {pace slow|normal|fast, session_minutes 15|30|45, auto_review, difficulty
    adaptive|fixed} and `notifications` {email_reminders (all reminder emails),
    review_reminders, weekly_summary}. Fields left out stay as they are."""
    return service.view(await service.update(session, user, body, meta))


@router.post("/users/me/avatar", response_model=AccountOut)
async def account_avatar_upload(
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    background: BackgroundTasks,
    file: Annotated[UploadFile | None, File()] = None,
) -> Any:
    """Upload a profile picture: multipart `file`, a PNG, JPEG or WebP (recognised from its
    bytes; anything else 415) of at most 2 MB (413). `avatar_url` then serves it."""
    data = await service.read_avatar_upload(file)
    replaced = await service.set_avatar(session, services, user, data)
    if replaced:  # background tasks run after the response, so after the commit
        background.add_task(service.discard_file, services, replaced)
    return service.view(user)


@router.delete("/users/me/avatar", response_model=AccountOut)
async def account_avatar_delete(
    user: CurrentUser, session: SessionDep, services: ServicesDep, background: BackgroundTasks
) -> Any:
    """Remove your profile picture (your initials are shown instead)."""
    replaced = await service.remove_avatar(session, user)
    if replaced:
        background.add_task(service.discard_file, services, replaced)
    return service.view(user)
