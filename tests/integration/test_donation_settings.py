"""A creator's payment settings (Paddle, ABA KHQR, PayPal) and an item's donation switch: the
KHQR image is checked from its bytes and decoded (not a picture, not a QR, not KHQR, a bad
CRC, too big, too small), PayPal takes an email or a PayPal.me link only, only creators have
settings, and the page works without JavaScript."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from learningos.donations.khqr import NotKhqr, crc16_ccitt_false, parse_khqr, with_crc
from learningos.models.content import Content
from learningos.models.user import Role, User
from learningos.services import Services
from tests.conftest import bearer, signed_in
from tests.fakes.khqr import khqr_payload, qr_jpeg, qr_png, tlv
from tests.integration.test_account import jpeg_header, png, webp_vp8x
from tests.integration.test_pages import csrf_of, html, sign_in_page

API = "/api/v1/creator/payment-settings"


async def make_creator(services: Services, email: str = "ann@example.com") -> uuid.UUID:
    async with services.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.role = Role.CREATOR
        return user.id


async def creator_tokens(client, services: Services, email: str = "ann@example.com") -> dict:  # type: ignore[no-untyped-def]
    tokens = await signed_in(client, email=email)
    await make_creator(services, email)
    return tokens


async def upload(client, tokens: dict, data: bytes, name: str = "khqr.png"):  # type: ignore[no-untyped-def]
    files = {"file": (name, data, "application/octet-stream")}
    return await client.put(f"{API}/khqr-image", files=files, headers=bearer(tokens))


def error_message(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["error"]["message"]


# -- the payload rules, without images ---------------------------------------------------------


def test_crc_is_ccitt_false() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1
    payload = khqr_payload()
    assert with_crc(payload[:-8]) == payload  # the test's own CRC agrees with the app's


def test_khqr_payload_is_parsed() -> None:
    khqr = parse_khqr(khqr_payload("shop_1@aba", "Shop One", tag="30", currency="116"))
    assert (khqr.account, khqr.merchant_name, khqr.currency) == ("shop_1@aba", "Shop One", "KHR")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (khqr_payload(crc="0000"), "checksum"),
        ("https://example.com/pay", "not a KHQR"),
        (khqr_payload().replace("000201", "000202", 1), "not a KHQR"),
        # An EMVCo code with a valid CRC but no Bakong account (a card-scheme tag 26 instead).
        (with_crc(tlv("00", "01") + tlv("26", tlv("00", "visa")) + tlv("53", "840")), "Bakong"),
        (khqr_payload()[:-10], "middle of a field"),
        (khqr_payload()[:-8], "checksum"),
    ],
)
def test_bad_payloads_are_refused_with_the_reason(payload: str, reason: str) -> None:
    with pytest.raises(NotKhqr, match=reason):
        parse_khqr(payload)


# -- the API -----------------------------------------------------------------------------------


async def test_defaults_then_khqr_and_paypal(client, services: Services) -> None:
    tokens = await creator_tokens(client, services)
    response = await client.get(API, headers=bearer(tokens))
    assert response.status_code == 200
    assert response.json()["paddle_enabled"] is True
    assert response.json()["aba_khqr_enabled"] is False

    # KHQR cannot be turned on before an image is uploaded.
    body = {"aba_khqr_enabled": True, "aba_khqr_name": "Jane"}
    response = await client.put(API, json=body, headers=bearer(tokens))
    assert response.status_code == 422
    assert "Upload your KHQR image" in error_message(response)

    response = await upload(client, tokens, qr_png(khqr_payload()))
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["aba_khqr_account"] == "jane_doe@aba"
    assert out["aba_khqr_name"] == "Jane Doe"  # taken from the code until the creator sets one
    image = await client.get(out["aba_khqr_image_url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"

    body = {
        "paddle_enabled": False,
        "aba_khqr_enabled": True,
        "aba_khqr_name": "  Jane   <b>Doe</b> ",
        "paypal_enabled": True,
        "paypal": "paypal.me/JaneDoe1",
    }
    response = await client.put(API, json=body, headers=bearer(tokens))
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["paddle_enabled"] is False
    assert out["aba_khqr_enabled"] is True
    assert out["aba_khqr_name"] == "Jane <b>Doe</b>"  # plain text, escaped wherever shown
    assert out["paypal"] == out["paypal_link"] == "https://www.paypal.me/JaneDoe1"

    response = await client.put(
        API, json={**body, "paypal": "Jane.Doe@Example.COM"}, headers=bearer(tokens)
    )
    assert response.json()["paypal"] == "Jane.Doe@example.com"
    assert response.json()["paypal_link"] is None

    # A JPEG KHQR replaces the PNG; the old image is gone.
    old = out["aba_khqr_image_url"]
    response = await upload(client, tokens, qr_jpeg(khqr_payload("jane@abaa")), "k.jpg")
    assert response.status_code == 200, response.text
    assert response.json()["aba_khqr_account"] == "jane@abaa"
    assert (await client.get(old)).status_code == 404

    response = await client.delete(f"{API}/khqr-image", headers=bearer(tokens))
    assert response.json()["aba_khqr_enabled"] is False
    assert response.json()["aba_khqr_image_url"] is None


@pytest.mark.parametrize(
    ("data", "status", "reason"),
    [
        (b"", 422, "empty"),
        (b"GIF89a" + b"\x00" * 40, 415, "PNG or JPEG"),
        (webp_vp8x(200, 200), 415, "PNG or JPEG"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", 415, "PNG or JPEG"),
        (jpeg_header(9000, 9000), 422, "between 64 and 4096"),
        (png(10, 10), 422, "between 64 and 4096"),
        (png(200, 200), 422, "No QR code"),
        (qr_png("https://example.com/not-a-payment"), 422, "not a KHQR"),
        (qr_png(khqr_payload(crc="ABCD")), 422, "checksum (CRC)"),
        (qr_png(with_crc(tlv("00", "01") + tlv("26", tlv("00", "x")))), 422, "Bakong"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (2 * 1024 * 1024 + 10), 413, "larger than 2 MB"),
    ],
    ids=[
        "empty",
        "gif",
        "webp",
        "svg",
        "huge-dimensions",
        "tiny",
        "not-a-qr",
        "qr-not-khqr",
        "bad-crc",
        "no-bakong-account",
        "too-big",
    ],
)
async def test_bad_khqr_images_are_refused(
    client, services: Services, data: bytes, status: int, reason: str
) -> None:
    tokens = await creator_tokens(client, services)
    response = await upload(client, tokens, data)
    assert response.status_code == status, response.text
    assert reason in error_message(response)
    out = (await client.get(API, headers=bearer(tokens))).json()
    assert out["aba_khqr_image_url"] is None


@pytest.mark.parametrize(
    "value",
    [
        "https://evil.example.com/JaneDoe",
        "https://paypal.me.evil.com/JaneDoe",
        "https://www.paypal.com/JaneDoe",
        "javascript:alert(1)",
        "https://www.paypal.me/",
        "https://www.paypal.me/Jane-Doe",
        "https://www.paypal.me/JaneDoe?x=1",
        "https://user@www.paypal.me/JaneDoe",
        "https://www.paypal.me/abcdefghijklmnopqrstuvwxyz",
        "not an email@",
    ],
)
async def test_paypal_other_hosts_and_bad_links_are_refused(
    client, services: Services, value: str
) -> None:
    tokens = await creator_tokens(client, services)
    body = {"paypal_enabled": True, "paypal": value}
    response = await client.put(API, json=body, headers=bearer(tokens))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "paypal"


async def test_paypal_on_needs_a_destination(client, services: Services) -> None:
    tokens = await creator_tokens(client, services)
    response = await client.put(API, json={"paypal_enabled": True}, headers=bearer(tokens))
    assert response.status_code == 422


async def test_only_creators_have_payment_settings(client, services: Services) -> None:
    tokens = await signed_in(client)
    assert (await client.get(API, headers=bearer(tokens))).status_code == 403
    assert (await client.put(API, json={}, headers=bearer(tokens))).status_code == 403
    response = await upload(client, tokens, qr_png(khqr_payload()))
    assert response.status_code == 403
    assert (await client.get(API)).status_code == 401


# -- an item's donation switch -----------------------------------------------------------------


async def add_item(services: Services, owner: uuid.UUID, title: str = "Memory") -> uuid.UUID:
    async with services.db.transaction() as session:
        content = Content(user_id=owner, title=title, type="markdown", status="ready")
        content.visibility = "public"
        session.add(content)
        await session.flush()
        return content.id


async def test_owner_creator_sets_accept_donations(client, services: Services) -> None:
    tokens = await creator_tokens(client, services)
    creator_id = await make_creator(services)
    item = await add_item(services, creator_id)
    body = {"accept_donations": True, "donation_message": "Thanks!\n\n  <script>x</script> "}
    response = await client.patch(
        f"/api/v1/content/{item}/donations", json=body, headers=bearer(tokens)
    )
    assert response.status_code == 200, response.text
    assert response.json()["accept_donations"] is True
    assert response.json()["donation_message"] == "Thanks!\n\n<script>x</script>"

    other = await signed_in(client, email="bob@example.com")
    response = await client.patch(
        f"/api/v1/content/{item}/donations", json=body, headers=bearer(other)
    )
    assert response.status_code in (403, 404)


async def test_a_learner_who_is_not_a_creator_cannot_accept_donations(
    client, services: Services
) -> None:
    tokens = await signed_in(client)
    async with services.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None
        owner = user.id
    item = await add_item(services, owner)
    response = await client.patch(
        f"/api/v1/content/{item}/donations",
        json={"accept_donations": True},
        headers=bearer(tokens),
    )
    assert response.status_code == 403


# -- the page ----------------------------------------------------------------------------------


async def test_settings_page_without_javascript(client, services: Services) -> None:
    await signed_in(client)
    await make_creator(services)
    await sign_in_page(client)
    doc = html(await client.get("/creator/payment-settings"))
    token = csrf_of(doc)

    files = {"khqr_image": ("k.png", qr_png(khqr_payload(crc="0001")), "image/png")}
    response = await client.post(
        "/creator/payment-settings/khqr", data={"csrf_token": token}, files=files
    )
    assert response.status_code == 400
    assert "checksum (CRC)" in response.text

    files = {"khqr_image": ("k.png", qr_png(khqr_payload()), "image/png")}
    response = await client.post(
        "/creator/payment-settings/khqr", data={"csrf_token": token}, files=files
    )
    assert response.status_code == 303

    form = {
        "csrf_token": token,
        "paddle_enabled": "on",
        "aba_khqr_enabled": "on",
        "aba_khqr_name": "Jane",
        "paypal_enabled": "on",
        "paypal": "https://evil.example.com/jane",
    }
    response = await client.post("/creator/payment-settings", data=form)
    assert response.status_code == 400
    assert "PayPal.me" in response.text
    assert 'value="https://evil.example.com/jane"' in response.text  # what was typed stays

    form["paypal"] = "https://www.paypal.me/jane"
    response = await client.post("/creator/payment-settings", data=form)
    assert response.status_code == 303
    doc = html(await client.get("/creator/payment-settings"))
    assert doc.css_first("[data-khqr-image]") is not None
    assert "jane_doe@aba" in doc.text()


async def test_settings_page_refuses_learners(client, services: Services) -> None:
    await signed_in(client)
    await sign_in_page(client)
    response = await client.get("/creator/payment-settings")
    assert response.status_code == 403
