"""A creator's payment settings: which donation methods the donate dialog offers (Paddle,
ABA KHQR, PayPal) and their details. Shared by the JSON API and the settings page."""

from __future__ import annotations

import secrets
import tempfile
import unicodedata
import uuid
from pathlib import Path, PurePosixPath

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.donations.paypal import normalise_paypal, paypal_link
from learningos.donations.qrimage import FIELD as KHQR_FIELD
from learningos.donations.qrimage import check_khqr_image
from learningos.donations.schemas import PaymentSettingsIn, PaymentSettingsOut
from learningos.kit.audit import audit
from learningos.kit.errors import Forbidden, NotFound, ValidationFailed
from learningos.kit.logging import get_logger
from learningos.kit.requestmeta import RequestMeta
from learningos.models.donations import CreatorPaymentSettings
from learningos.models.user import Role, User
from learningos.services import Services

log = get_logger(__name__)
KHQR_PREFIX = "/khqr"
MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}


def is_creator(user: User) -> bool:
    return user.role in (Role.CREATOR, Role.ADMIN)


def require_creator(user: User) -> None:
    if not is_creator(user):
        raise Forbidden("Only creators have payment settings. Become a creator first.")


async def find(session: AsyncSession, user_id: uuid.UUID) -> CreatorPaymentSettings | None:
    return await session.scalar(
        select(CreatorPaymentSettings).where(CreatorPaymentSettings.user_id == user_id)
    )


async def _row(session: AsyncSession, user: User) -> CreatorPaymentSettings:
    """The creator's row, created with the defaults on first use (and locked for the change
    on PostgreSQL)."""
    row = await session.scalar(
        select(CreatorPaymentSettings)
        .where(CreatorPaymentSettings.user_id == user.id)
        .with_for_update()
    )
    if row is None:
        row = CreatorPaymentSettings(
            user_id=user.id, paddle_enabled=True, aba_khqr_enabled=False, paypal_enabled=False
        )
        session.add(row)
        await session.flush()
    return row


def view(row: CreatorPaymentSettings | None) -> PaymentSettingsOut:
    if row is None:  # never saved: the defaults (Paddle on, the others off)
        row = CreatorPaymentSettings(
            paddle_enabled=True, aba_khqr_enabled=False, paypal_enabled=False
        )
    return PaymentSettingsOut(
        paddle_enabled=row.paddle_enabled,
        aba_khqr_enabled=row.aba_khqr_enabled,
        aba_khqr_name=row.aba_khqr_name,
        aba_khqr_image_url=row.aba_khqr_image_url,
        aba_khqr_account=row.aba_khqr_account,
        paypal_enabled=row.paypal_enabled,
        paypal=row.paypal_email,
        paypal_link=paypal_link(row.paypal_email) if row.paypal_email else None,
    )


async def current(session: AsyncSession, user: User) -> PaymentSettingsOut:
    require_creator(user)
    return view(await find(session, user.id))


def clean_line(value: str | None, limit: int) -> str | None:
    """One line of plain text: control characters dropped, spaces collapsed."""
    if value is None:
        return None
    text = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch == " ")
    text = " ".join(text.split())[:limit]
    return text or None


async def update(
    session: AsyncSession, user: User, body: PaymentSettingsIn, meta: RequestMeta
) -> PaymentSettingsOut:
    """Replace the creator's donation methods. KHQR on needs an uploaded image and a display
    name; PayPal on needs an email or a PayPal.me link (any other site is refused)."""
    require_creator(user)
    name = clean_line(body.aba_khqr_name, 100)
    paypal = normalise_paypal(body.paypal) if body.paypal and body.paypal.strip() else None
    row = await _row(session, user)
    if body.aba_khqr_enabled and not row.aba_khqr_image_key:
        message = "Upload your KHQR image before turning ABA KHQR on."
        raise ValidationFailed(message, details=[{"field": KHQR_FIELD, "message": message}])
    if body.aba_khqr_enabled and not name:
        message = "Enter the name donors see beside your KHQR code."
        raise ValidationFailed(message, details=[{"field": "aba_khqr_name", "message": message}])
    if body.paypal_enabled and not paypal:
        message = "Enter your PayPal email address or PayPal.me link before turning PayPal on."
        raise ValidationFailed(message, details=[{"field": "paypal", "message": message}])
    row.paddle_enabled = body.paddle_enabled
    row.aba_khqr_enabled = body.aba_khqr_enabled
    row.aba_khqr_name = name
    row.paypal_enabled = body.paypal_enabled
    row.paypal_email = paypal
    await session.flush()
    await audit(
        session,
        "creator.payment_settings_changed",
        meta,
        user.id,
        paddle=row.paddle_enabled,
        aba_khqr=row.aba_khqr_enabled,
        paypal=row.paypal_enabled,
    )
    return view(row)


async def set_khqr_image(
    session: AsyncSession, services: Services, user: User, data: bytes, meta: RequestMeta
) -> tuple[PaymentSettingsOut, str | None]:
    """Check and store a new KHQR image; returns the settings and the storage key of the image
    it replaces (delete that after the commit with `discard_file`)."""
    require_creator(user)
    checked = await anyio.to_thread.run_sync(check_khqr_image, data)
    extension = "jpg" if checked.image.kind == "jpeg" else "png"
    key = f"khqr/{user.id}/{secrets.token_hex(16)}.{extension}"
    with tempfile.TemporaryDirectory(prefix="learningos-khqr-") as folder:
        source = Path(folder) / "upload"
        await anyio.to_thread.run_sync(source.write_bytes, data)
        await services.storage.put(key, source)
    row = await _row(session, user)
    previous = row.aba_khqr_image_key
    row.aba_khqr_image_key = key
    row.aba_khqr_image_url = f"{KHQR_PREFIX}/{user.id}/{PurePosixPath(key).name}"
    row.aba_khqr_account = checked.khqr.account
    if not row.aba_khqr_name and checked.khqr.merchant_name:
        row.aba_khqr_name = clean_line(checked.khqr.merchant_name, 100)
    await session.flush()
    await audit(session, "creator.khqr_uploaded", meta, user.id, account=checked.khqr.account)
    return view(row), previous


async def remove_khqr_image(
    session: AsyncSession, user: User
) -> tuple[PaymentSettingsOut, str | None]:
    """Remove the KHQR image (KHQR turns off); returns the key to delete after the commit."""
    require_creator(user)
    row = await _row(session, user)
    previous = row.aba_khqr_image_key
    row.aba_khqr_image_key = None
    row.aba_khqr_image_url = None
    row.aba_khqr_account = None
    row.aba_khqr_enabled = False
    await session.flush()
    return view(row), previous


async def discard_file(services: Services, key: str) -> None:
    """Delete a replaced image (after the response; a failure only leaves a file)."""
    try:
        await services.storage.delete(key)
    except Exception as exc:  # noqa: BLE001 - an orphaned file must not fail anything
        log.warning("donations.khqr_delete_failed", key=key, error=str(exc))


async def khqr_file(
    session: AsyncSession, services: Services, user_id: uuid.UUID, name: str
) -> tuple[bytes, str]:
    """The bytes and media type of a creator's current KHQR image, by the name in its URL
    (its name is random, so only someone shown it can ask for it)."""
    row = await find(session, user_id)
    if (
        row is None
        or not row.aba_khqr_image_key
        or PurePosixPath(row.aba_khqr_image_key).name != name
    ):
        raise NotFound("No such image.")
    media_type = MEDIA_TYPES.get(PurePosixPath(name).suffix)
    if media_type is None:
        raise NotFound("No such image.")
    try:
        async with services.storage.local_copy(row.aba_khqr_image_key) as path:
            data = await anyio.to_thread.run_sync(path.read_bytes)
    except FileNotFoundError as exc:
        raise NotFound("No such image.") from exc
    return data, media_type
