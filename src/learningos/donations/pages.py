"""Donations pages: the creator's payment settings, an item's donation switch, the donate
dialog (a page of its own without JavaScript), the KHQR image, and the donations received.
Every action calls the same services as the JSON API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import BackgroundTasks, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from learningos.auth.deps import PageUser
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.donations import payment_settings, service
from learningos.donations.endpoints import read_upload
from learningos.donations.schemas import PaymentSettingsIn
from learningos.kit.errors import AppError, Forbidden
from learningos.models.user import User
from learningos.web.forms import SignedIn, page_router, refused
from learningos.web.render import redirect_with_flash, render

router = page_router()
SETTINGS_TEMPLATE = "donations/payment_settings.html"


def _settings_context(user: User, view: Any, **extra: Any) -> dict[str, Any]:
    return {"active": "payment_settings", "settings": view, "account_user": user, **extra}


def _require_creator_page(user: User) -> None:
    if not payment_settings.is_creator(user):
        raise Forbidden("Only creators have payment settings. Become a creator first.")


@router.get("/creator/payment-settings", name="payment_settings")
async def settings_page(request: Request, user: SignedIn, session: SessionDep) -> Response:
    _require_creator_page(user)
    view = await payment_settings.current(session, user)
    return render(request, SETTINGS_TEMPLATE, _settings_context(user, view))


@router.post("/creator/payment-settings", name="payment_settings_save")
async def settings_save(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    meta: MetaDep,
    paddle_enabled: Annotated[str | None, Form(max_length=8)] = None,
    aba_khqr_enabled: Annotated[str | None, Form(max_length=8)] = None,
    aba_khqr_name: Annotated[str, Form(max_length=200)] = "",
    paypal_enabled: Annotated[str | None, Form(max_length=8)] = None,
    paypal: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    _require_creator_page(user)
    typed = {
        "paddle_enabled": paddle_enabled is not None,
        "aba_khqr_enabled": aba_khqr_enabled is not None,
        "aba_khqr_name": aba_khqr_name,
        "paypal_enabled": paypal_enabled is not None,
        "paypal": paypal,
    }
    try:
        body = PaymentSettingsIn.model_validate(typed)
        await payment_settings.update(session, user, body, meta)
    except (AppError, ValidationError) as exc:
        view = await payment_settings.current(session, user)
        return refused(request, SETTINGS_TEMPLATE, _settings_context(user, view, form=typed), exc)
    return redirect_with_flash("/creator/payment-settings", "payment_settings_saved")


@router.post("/creator/payment-settings/khqr", name="payment_settings_khqr")
async def khqr_upload(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    background: BackgroundTasks,
    khqr_image: Annotated[UploadFile | None, File()] = None,
) -> Response:
    _require_creator_page(user)
    try:
        data = await read_upload(khqr_image)
        _, replaced = await payment_settings.set_khqr_image(session, services, user, data, meta)
    except AppError as exc:
        view = await payment_settings.current(session, user)
        return refused(
            request, SETTINGS_TEMPLATE, _settings_context(user, view, failed="khqr"), exc
        )
    if replaced:
        background.add_task(payment_settings.discard_file, services, replaced)
    return redirect_with_flash("/creator/payment-settings", "khqr_uploaded")


@router.post("/creator/payment-settings/khqr/remove", name="payment_settings_khqr_remove")
async def khqr_remove(
    user: SignedIn, session: SessionDep, services: ServicesDep, background: BackgroundTasks
) -> Response:
    _require_creator_page(user)
    _, replaced = await payment_settings.remove_khqr_image(session, user)
    if replaced:
        background.add_task(payment_settings.discard_file, services, replaced)
    return redirect_with_flash("/creator/payment-settings", "khqr_removed")


@router.get("/khqr/{user_id}/{name}", name="khqr_image")
async def khqr_image(
    user_id: uuid.UUID, name: str, user: PageUser, session: SessionDep, services: ServicesDep
) -> Response:
    """A creator's current KHQR image (its random name changes with every upload)."""
    data, media_type = await payment_settings.khqr_file(session, services, user_id, name)
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}
    return Response(data, media_type=media_type, headers=headers)


@router.post("/content/{content_id}/donations", name="content_donations")
async def content_donations(
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    meta: MetaDep,
    accept_donations: Annotated[str | None, Form(max_length=8)] = None,
    donation_message: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    await service.set_content_donations(
        session, user, content_id, accept_donations is not None, donation_message, meta
    )
    return redirect_with_flash(f"/content/{content_id}", "donations_changed")


def _redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)
