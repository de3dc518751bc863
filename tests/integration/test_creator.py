"""Becoming a creator (API and page), the legal pages, and the takedown form."""

from __future__ import annotations

from sqlalchemy import select

from learningos.creator.agreement import AGREEMENT_VERSION
from learningos.kit.audit import AuditEvent
from learningos.models.sales import CreatorProfile, TakedownRequest
from learningos.models.user import User
from tests.conftest import bearer, eventually, signed_in
from tests.integration.test_account import make_admin, outbox
from tests.integration.test_pages import csrf_of, html, sign_in_page
from tests.integration.test_qdrant_server_mode import run_queued

ONBOARD = "/api/v1/creator/onboard"


def onboarding(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "accept_agreement": True,
        "agreement_version": AGREEMENT_VERSION,
        "legal_name": "Ann  Lee",
        "country": "kh",
        "tax_id": "",
    }
    body.update(overrides)
    return body


async def make_creator(client, email: str = "creator@example.com") -> dict[str, str]:  # type: ignore[no-untyped-def]
    headers = bearer(await signed_in(client, email))
    response = await client.post(ONBOARD, json=onboarding(), headers=headers)
    assert response.status_code == 200, response.text
    return headers


async def test_onboarding_records_the_agreement_and_makes_a_creator(client, services):
    headers = bearer(await signed_in(client))
    assert (await client.post(ONBOARD, json=onboarding())).status_code == 401
    for bad, field in [
        ({"accept_agreement": False}, "accept_agreement"),
        ({"agreement_version": "2020-01-01"}, "agreement_version"),
        ({"country": "XX"}, "country"),
        ({"legal_name": "   "}, "legal_name"),
    ]:
        refused = await client.post(ONBOARD, json=onboarding(**bad), headers=headers)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["error"]["details"][0]["field"] == field
    response = await client.post(ONBOARD, json=onboarding(tax_id=" KH-123 "), headers=headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["role"] == "creator" and out["country"] == "KH" and out["legal_name"] == "Ann Lee"
    assert out["agreement_version"] == AGREEMENT_VERSION and out["tax_id"] == "KH-123"
    async with services.db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None and user.role == "creator"
        profile = await session.scalar(select(CreatorProfile))
        assert profile is not None and profile.agreement_accepted_at is not None
        events = list(await session.scalars(select(AuditEvent.event)))
        assert "creator.onboarded" in events
    # An admin stays an admin when onboarding.
    await make_admin(services)
    again = await client.post(ONBOARD, json=onboarding(), headers=headers)
    assert again.status_code == 200 and again.json()["role"] == "admin"


async def test_onboarding_page(client, services):
    await signed_in(client)
    client.cookies.clear()
    await sign_in_page(client)
    page = await client.get("/creator/onboard")
    assert page.status_code == 200
    doc = html(page)
    codes = [o.attributes["value"] for o in doc.css("select#country option")]
    assert "KH" in codes and "US" in codes and len(codes) > 200
    csrf = csrf_of(doc)
    data = {"legal_name": "Ann Lee", "country": "KH", "agreement_version": AGREEMENT_VERSION}
    refused = await client.post("/creator/onboard", data={**data, "csrf_token": csrf})
    assert refused.status_code == 400 and "Accept the creator agreement" in refused.text
    done = await client.post(
        "/creator/onboard", data={**data, "accept_agreement": "on", "csrf_token": csrf}
    )
    assert done.status_code == 303 and done.headers["location"] == "/library"
    again = await client.get("/creator/onboard")
    assert AGREEMENT_VERSION in again.text


async def test_legal_pages_for_sales(client):
    for path, text in [
        ("/creator-agreement", "Revenue share"),
        ("/refunds", "14 days"),
        ("/copyright", "takedown"),
        ("/terms", "Refund policy"),
    ]:
        response = await client.get(path)
        assert response.status_code == 200 and text in response.text, path


async def test_takedown_request_reaches_the_admins(client, services):
    await signed_in(client, "admin@example.com")
    await make_admin(services, "admin@example.com")
    client.cookies.clear()
    page = await client.get("/copyright")
    csrf = csrf_of(html(page))
    form = {
        "reporter_name": "Rights Holder",
        "reporter_email": "not-an-email",
        "content_url": "http://127.0.0.1:8000/content/x",
        "original_work": "My book, 2020",
        "statement": "<b>I</b> own it.",
        "csrf_token": csrf,
    }
    refused = await client.post("/copyright", data=form)
    assert refused.status_code == 400 and "valid email" in refused.text
    sent = await client.post("/copyright", data={**form, "reporter_email": "rh@example.com"})
    assert sent.status_code == 303
    async with services.db.transaction() as session:
        row = await session.scalar(select(TakedownRequest))
        assert row is not None and row.status == "open" and row.statement == "<b>I</b> own it."
        events = list(await session.scalars(select(AuditEvent.event)))
        assert "copyright.takedown_requested" in events
    await run_queued(services, "creator.takedown_email")

    async def mailed():  # type: ignore[no-untyped-def]
        return [m for m in outbox(services) if m["Subject"] == "Copyright takedown request"]

    message = (await eventually(mailed))[0]
    assert message["To"] == "admin@example.com"
