"""Learning pages: the tutor's answer to a free question on a content item's page."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.kit.csrf import verify_csrf
from learningos.kit.deps import ServicesDep, SessionDep
from learningos.kit.errors import AIBudgetExceeded, NotAuthenticated, ValidationFailed
from learningos.learning import service
from learningos.web.render import render

router = APIRouter(include_in_schema=False)


@router.post("/content/{content_id}/ask", name="content_ask_fragment")
async def ask_fragment(
    request: Request,
    content_id: uuid.UUID,
    user: PageUser,
    session: SessionDep,
    services: ServicesDep,
    question: Annotated[str, Form()] = "",
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    verify_csrf(request, csrf_token)
    if user is None:
        raise NotAuthenticated()
    question = question.strip()
    if not question or len(question) > 1000:
        raise ValidationFailed("Write a question of up to 1,000 characters.")
    context: dict[str, object] = {"content_id": content_id, "notice": None}
    try:
        result = await service.ask(session, services, user, content_id, question)
        context |= {"answer": result.output, "engine": result.usage.engine}
    except AIBudgetExceeded as exc:
        context["notice"] = f"{exc.message} Searching inside the material still works."
    fragment = bool(request.headers.get("HX-Request"))
    return render(request, "learning/_answer.html" if fragment else "learning/answer.html", context)
