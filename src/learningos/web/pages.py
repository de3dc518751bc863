"""The pages that belong to no domain: the public landing page and the legal pages."""

from __future__ import annotations

from email.utils import parseaddr

from fastapi import Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.deps import ServicesDep
from learningos.web.forms import page_router
from learningos.web.render import render

router = page_router()


@router.get("/", name="landing")
async def landing(request: Request, user: PageUser) -> Response:
    return render(request, "landing.html", layout="layouts/public.html")


LEGAL_PAGES = {
    "privacy": "legal/privacy.html",
    "terms": "legal/terms.html",
    "contact": "legal/contact.html",
    "refunds": "legal/refunds.html",
}


@router.get("/privacy", name="privacy")
@router.get("/terms", name="terms")
@router.get("/contact", name="contact")
@router.get("/refunds", name="refunds")
async def legal(request: Request, services: ServicesDep) -> Response:
    page = request.url.path.strip("/")
    context = {"contact_email": contact_email(services)}
    return render(request, LEGAL_PAGES[page], context, layout="layouts/public.html")


def contact_email(services: ServicesDep) -> str:
    return parseaddr(services.settings.email_from)[1] or services.settings.email_from
