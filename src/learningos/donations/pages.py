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
from learningos.kit.errors import AppError, Forbidden, ValidationFailed
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


# -- donating ---------------------------------------------------------------------------------


def parse_dollars(text: str) -> int | None:
    """ "25", "$7.50", "1,000" → cents; None when it is not an amount."""
    value = text.strip().removeprefix("$").replace(",", "").strip()
    if not value:
        return None
    whole, _, fraction = value.partition(".")
    if not whole.isdigit() or len(whole) > 7 or not (fraction == "" or fraction.isdigit()):
        raise ValidationFailed(
            "Enter an amount in US dollars, such as 5 or 7.50.",
            details=[{"field": "amount_cents", "message": "Enter an amount such as 5 or 7.50."}],
        )
    if len(fraction) > 2:
        message = "An amount has at most two decimals (cents)."
        raise ValidationFailed(message, details=[{"field": "amount_cents", "message": message}])
    return int(whole) * 100 + int(fraction.ljust(2, "0") or 0)


async def _dialog(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: User,
    *,
    content_id: uuid.UUID | None,
    creator_id: uuid.UUID | None,
    exc: AppError | None = None,
    typed: dict[str, str] | None = None,
) -> Response:
    target = await service.dialog_target(session, user, content_id, creator_id)
    action = (
        f"/content/{content_id}/donate" if content_id else f"/creators/{target.recipient.id}/donate"
    )
    context = {
        "active": "library",
        "recipient": target.recipient,
        "content": target.content,
        "methods": payment_settings.view(await payment_settings.find(session, target.recipient.id)),
        "card_ready": service.paddle_configured(services) or service.test_checkout_on(services),
        "action": action,
        "presets": service.PRESETS_CENTS,
        "form": typed or {},
    }
    if exc is not None:
        return refused(request, "donations/donate.html", context, exc)
    return render(request, "donations/donate.html", context)


@router.get("/content/{content_id}/donate", name="donate_content")
async def donate_content_page(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
) -> Response:
    return await _dialog(request, session, services, user, content_id=content_id, creator_id=None)


@router.get("/creators/{creator_id}/donate", name="donate_creator")
async def donate_creator_page(
    request: Request,
    creator_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
) -> Response:
    return await _dialog(request, session, services, user, content_id=None, creator_id=creator_id)


async def _donate(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: User,
    meta: MetaDep,
    content_id: uuid.UUID | None,
    creator_id: uuid.UUID | None,
    amount: str,
    custom_amount: str,
    message: str,
) -> Response:
    typed = {"amount": amount, "custom_amount": custom_amount, "message": message}
    try:
        cents = parse_dollars(custom_amount)
        if cents is None:
            cents = int(amount) if amount.isdigit() else 0
        done = await service.checkout(
            session,
            services,
            user,
            content_id=content_id,
            creator_id=creator_id,
            amount_cents=cents,
            message=message,
            meta=meta,
        )
    except AppError as exc:
        if exc.status_code in (401, 404):
            raise
        return await _dialog(
            request,
            session,
            services,
            user,
            content_id=content_id,
            creator_id=creator_id,
            exc=exc,
            typed=typed,
        )
    url = done.checkout_url
    base = services.settings.base_url.rstrip("/")
    if url.startswith(base + "/"):  # the local test checkout: stay on this site's address
        url = url[len(base) :]
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


@router.post("/content/{content_id}/donate", name="donate_content_submit")
async def donate_content_submit(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    amount: Annotated[str, Form(max_length=12)] = "",
    custom_amount: Annotated[str, Form(max_length=20)] = "",
    message: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    return await _donate(
        request, session, services, user, meta, content_id, None, amount, custom_amount, message
    )


@router.post("/creators/{creator_id}/donate", name="donate_creator_submit")
async def donate_creator_submit(
    request: Request,
    creator_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    amount: Annotated[str, Form(max_length=12)] = "",
    custom_amount: Annotated[str, Form(max_length=20)] = "",
    message: Annotated[str, Form(max_length=600)] = "",
) -> Response:
    return await _donate(
        request, session, services, user, meta, None, creator_id, amount, custom_amount, message
    )


@router.get("/creator/donations", name="donations_received_page")
async def received_page(
    request: Request, user: SignedIn, session: SessionDep, page: int = 1
) -> Response:
    _require_creator_page(user)
    page = max(1, min(page, 10_000))
    per_page = 20
    rows, total = await service.received(session, user, page, per_page)
    pages = max(1, -(-total // per_page))
    context = {"active": "payment_settings", "rows": rows, "total": total, "page": page}
    return render(request, "donations/received.html", {**context, "pages": pages})
