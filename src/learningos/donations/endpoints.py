"""Donations JSON API: the creator's payment settings, an item's donation switch, the donate
checkout and the donations a creator received."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import BackgroundTasks, File, UploadFile

from learningos.auth.deps import CurrentUser
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.donations import payment_settings, service
from learningos.donations.qrimage import MAX_BYTES, check_size
from learningos.donations.schemas import (
    ContentDonationsIn,
    ContentDonationsOut,
    PaymentSettingsIn,
    PaymentSettingsOut,
)
from learningos.kit.api import api_router
from learningos.kit.errors import ValidationFailed

router = api_router("/api/v1", ["donations"])


async def read_upload(file: UploadFile | None) -> bytes:
    if file is None:
        message = "Choose your KHQR image."
        raise ValidationFailed(message, details=[{"field": "khqr_image", "message": message}])
    data = await file.read(MAX_BYTES + 1)
    check_size(data)
    return data


@router.get("/creator/payment-settings", response_model=PaymentSettingsOut)
async def get_payment_settings(user: CurrentUser, session: SessionDep) -> Any:
    """How the creator receives donations (creators only; 403 otherwise)."""
    return await payment_settings.current(session, user)


@router.put("/creator/payment-settings", response_model=PaymentSettingsOut)
async def put_payment_settings(
    body: PaymentSettingsIn, user: CurrentUser, session: SessionDep, meta: MetaDep
) -> Any:
    """Replace the donation methods: Paddle on/off, ABA KHQR on/off with its display name
    (the image must be uploaded first), PayPal on/off with an email or a
    `https://www.paypal.me/<name>` link (any other site: 422)."""
    return await payment_settings.update(session, user, body, meta)


@router.put("/creator/payment-settings/khqr-image", response_model=PaymentSettingsOut)
async def put_khqr_image(
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    background: BackgroundTasks,
    file: Annotated[UploadFile | None, File()] = None,
) -> Any:
    """Upload the KHQR image (multipart `file`): a PNG or JPEG (415 otherwise) of at most 2 MB
    (413), 64 to 4096 pixels a side, holding a QR code whose text is a KHQR payment code with
    a valid CRC and a Bakong account (422 otherwise, with the reason)."""
    data = await read_upload(file)
    out, replaced = await payment_settings.set_khqr_image(session, services, user, data, meta)
    if replaced:
        background.add_task(payment_settings.discard_file, services, replaced)
    return out


@router.delete("/creator/payment-settings/khqr-image", response_model=PaymentSettingsOut)
async def delete_khqr_image(
    user: CurrentUser, session: SessionDep, services: ServicesDep, background: BackgroundTasks
) -> Any:
    """Remove the KHQR image; ABA KHQR turns off."""
    out, replaced = await payment_settings.remove_khqr_image(session, user)
    if replaced:
        background.add_task(payment_settings.discard_file, services, replaced)
    return out


@router.patch("/content/{content_id}/donations", response_model=ContentDonationsOut)
async def set_content_donations(
    content_id: uuid.UUID,
    body: ContentDonationsIn,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
) -> Any:
    """Accept donations on an item, with an optional message shown on its donate dialog (the
    item's owner, a creator; 403 otherwise)."""
    content = await service.set_content_donations(
        session, user, content_id, body.accept_donations, body.donation_message, meta
    )
    return {
        "id": content.id,
        "accept_donations": content.accept_donations,
        "donation_message": content.donation_message,
    }
