"""The creator onboarding page (`/creator/onboard`); it calls the service the API calls."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.creator import service, takedown
from learningos.creator.agreement import AGREEMENT_VERSION, countries
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError
from learningos.models.user import User
from learningos.web.forms import SignedIn, page_router, refused
from learningos.web.render import redirect_with_flash, render

router = page_router()
TEMPLATE = "creator/onboard.html"


async def _context(session: SessionDep, user: User, form: dict[str, Any]) -> dict[str, Any]:
    profile = await service.profile_of(session, user)
    return {
        "active": "library",
        "profile": profile,
        "is_creator": service.is_creator(user),
        "countries": countries(),
        "agreement_version": AGREEMENT_VERSION,
        "form": form,
    }


@router.get("/creator/onboard", name="creator_onboard")
async def onboard_page(request: Request, user: SignedIn, session: SessionDep) -> Response:
    profile = await service.profile_of(session, user)
    form = {}
    if profile is not None:
        form = {"legal_name": profile.legal_name, "country": profile.country}
        form["tax_id"] = profile.tax_id or ""
    return render(request, TEMPLATE, await _context(session, user, form))


@router.post("/creator/onboard", name="creator_onboard_submit")
async def onboard_submit(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    meta: MetaDep,
    legal_name: Annotated[str, Form(max_length=400)] = "",
    country: Annotated[str, Form(max_length=8)] = "",
    tax_id: Annotated[str, Form(max_length=128)] = "",
    agreement_version: Annotated[str, Form(max_length=32)] = "",
    accept_agreement: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    form = {"legal_name": legal_name, "country": country, "tax_id": tax_id}
    try:
        await service.onboard(
            session,
            user,
            meta,
            accepted=accept_agreement == "on",
            version=agreement_version,
            legal_name=legal_name,
            country=country,
            tax_id=tax_id,
        )
    except AppError as exc:
        return refused(request, TEMPLATE, await _context(session, user, form), exc)
    return redirect_with_flash("/library", "creator_onboarded")


COPYRIGHT = "legal/copyright.html"


def contact_email(services: ServicesDep) -> str:
    return parseaddr(services.settings.email_from)[1] or services.settings.email_from


@router.get("/creator-agreement", name="creator_agreement")
async def agreement_page(request: Request, services: ServicesDep) -> Response:
    context = {"contact_email": contact_email(services), "agreement_version": AGREEMENT_VERSION}
    return render(request, "legal/creator_agreement.html", context, layout="layouts/public.html")


def _copyright_context(
    services: ServicesDep, form: dict[str, str], sent: bool = False
) -> dict[str, Any]:
    return {"contact_email": contact_email(services), "form": form, "sent": sent}


@router.get("/copyright", name="copyright")
async def copyright_page(request: Request, services: ServicesDep) -> Response:
    sent = request.query_params.get("sent") == "1"
    return render(
        request, COPYRIGHT, _copyright_context(services, {}, sent), layout="layouts/public.html"
    )


@router.post("/copyright", name="takedown_submit")
async def takedown_submit(
    request: Request,
    user: PageUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    reporter_name: Annotated[str, Form(max_length=400)] = "",
    reporter_email: Annotated[str, Form(max_length=640)] = "",
    content_url: Annotated[str, Form(max_length=2000)] = "",
    original_work: Annotated[str, Form(max_length=8000)] = "",
    statement: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    form = {
        "reporter_name": reporter_name,
        "reporter_email": reporter_email,
        "content_url": content_url,
        "original_work": original_work,
        "statement": statement,
    }
    try:
        await takedown.submit(session, services, user, form, meta)
    except AppError as exc:
        context = _copyright_context(services, form)
        return refused(request, COPYRIGHT, context, exc, layout="layouts/public.html")
    return redirect_with_flash("/copyright?sent=1#request", "takedown_sent")
