"""Public and app-shell pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.web.render import htmx_redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/", name="landing")
async def landing(request: Request, user: PageUser) -> Response:
    return render(request, "landing.html", layout="layouts/public.html")


@router.get("/dashboard", name="dashboard")
async def dashboard(request: Request, user: PageUser) -> Response:
    if user is None:
        return htmx_redirect(request, "/login?next=/dashboard")
    return render(request, "dashboard.html", {"active": "dashboard"})
