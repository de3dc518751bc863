"""Public and app-shell pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.content import service as content_service
from learningos.kit.deps import SessionDep
from learningos.web.render import htmx_redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", name="landing")
async def landing(request: Request, user: PageUser) -> Response:
    return render(request, "landing.html", layout="layouts/public.html")


@router.get("/dashboard", name="dashboard")
async def dashboard(request: Request, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return htmx_redirect(request, "/login?next=/dashboard")
    contents = await content_service.library(session, user)
    return render(request, "dashboard.html", {"active": "dashboard", "contents": contents})
