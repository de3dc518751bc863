"""The /progress page: stat cards, confidence over time, weak areas vs mastered, per item."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.deps import SessionDep
from learningos.progress import service
from learningos.web.render import htmx_redirect, render

router = APIRouter(include_in_schema=False)


@router.get("/progress", name="progress")
async def progress_page(request: Request, user: PageUser, session: SessionDep) -> Response:
    if user is None:
        return htmx_redirect(request, "/login?next=/progress")
    figures = await service.summary(session, user)
    points = [(d["day"], d["average_confidence"]) for d in figures["confidence_over_time"]]
    context = {
        "active": "progress",
        "summary": figures,
        "chart": service.confidence_chart(points),
    }
    return render(request, "progress/index.html", context)
