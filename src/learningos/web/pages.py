"""Public and app-shell pages."""

from __future__ import annotations

from email.utils import parseaddr

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.content import service as content_service
from learningos.deps import ServicesDep, SessionDep
from learningos.progress.dashboard import dashboard as dashboard_figures
from learningos.web.render import htmx_redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", name="landing")
async def landing(request: Request, user: PageUser) -> Response:
    return render(request, "landing.html", layout="layouts/public.html")


@router.get("/dashboard", name="dashboard")
async def dashboard(
    request: Request, user: PageUser, session: SessionDep, services: ServicesDep
) -> Response:
    if user is None:
        return htmx_redirect(request, "/login?next=/dashboard")
    contents = await content_service.library(session, user)
    figures = await dashboard_figures(
        session,
        user,
        [c.id for c in contents],
        services.settings.progress_idle_cap_seconds,
    )
    return render(
        request, "dashboard.html", {"active": "dashboard", "contents": contents, **figures}
    )


LEGAL_PAGES = {
    "privacy": "legal/privacy.html",
    "terms": "legal/terms.html",
    "contact": "legal/contact.html",
}


@router.get("/privacy", name="privacy")
@router.get("/terms", name="terms")
@router.get("/contact", name="contact")
async def legal(request: Request, services: ServicesDep) -> Response:
    page = request.url.path.strip("/")
    contact = parseaddr(services.settings.email_from)[1] or services.settings.email_from
    return render(
        request, LEGAL_PAGES[page], {"contact_email": contact}, layout="layouts/public.html"
    )
