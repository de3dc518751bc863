"""Donations JSON API: the creator's payment settings, an item's donation switch, the donate
checkout and the donations a creator received."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import BackgroundTasks, File, Query, UploadFile

from learningos.auth.deps import CurrentUser
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.donations import payment_settings, service
from learningos.donations.qrimage import MAX_BYTES, check_size
from learningos.donations.schemas import (
    ContentDonationsIn,
    ContentDonationsOut,
    DonateCheckoutIn,
    DonateCheckoutOut,
    DonationOut,
    DonationPage,
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


@router.post("/donate/checkout", response_model=DonateCheckoutOut, status_code=201)
async def donate_checkout(
    body: DonateCheckoutIn,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
) -> Any:
    """Start a card donation through Paddle to an item's creator (`content_id`; the item
    accepts donations) or to a creator (`creator_id`; Paddle on in their settings).
    `amount_cents` from 100 to 100000 (presets 100, 300, 500, 1000); 422 otherwise. Send the
    donor to `checkout_url`; the donation completes when Paddle's webhook arrives. A donation
    never unlocks paid content."""
    done = await service.checkout(
        session,
        services,
        user,
        content_id=body.content_id,
        creator_id=body.creator_id,
        amount_cents=body.amount_cents,
        message=body.message,
        meta=meta,
    )
    return {"donation_id": done.donation_id, "checkout_url": done.checkout_url}


def donation_out(row: Any, title: str | None, donor: str | None) -> DonationOut:
    return DonationOut(
        id=row.id,
        amount_cents=row.amount_cents,
        currency=row.currency,
        message=row.message,
        status=row.status,
        payment_provider=row.payment_provider,
        content_id=row.content_id,
        content_title=title,
        donor_name=donor,
        created_at=row.created_at,
        completed_at=row.completed_at,
    )


@router.get("/donations/received", response_model=DonationPage)
async def donations_received(
    user: CurrentUser,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Any:
    """The donations the creator received (completed and refunded), newest first."""
    rows, total = await service.received(session, user, page, per_page)
    return {
        "items": [donation_out(*row) for row in rows],
        "total": total,
        "page": page,
        "per_page": per_page,
    }
