"""The learner's overview pages: the dashboard (materials with how far they are, what is due)
and /progress (stat cards, confidence over time, weak areas vs mastered, per item)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from learningos.content import service as content_service
from learningos.deps import ServicesDep, SessionDep
from learningos.progress import service
from learningos.progress.dashboard import dashboard as dashboard_figures
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import render

router = page_router()


@router.get("/dashboard", name="dashboard")
async def dashboard(
    request: Request, user: SignedIn, session: SessionDep, services: ServicesDep
) -> Response:
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


@router.get("/progress", name="progress")
async def progress_page(request: Request, user: SignedIn, session: SessionDep) -> Response:
    figures = await service.summary(session, user)
    points = [(d["day"], d["average_confidence"]) for d in figures["confidence_over_time"]]
    context = {
        "active": "progress",
        "summary": figures,
        "chart": service.confidence_chart(points),
    }
    return render(request, "progress/index.html", context)
