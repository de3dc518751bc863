"""The learning page `/learn/{content_id}`: concept, chat with the AI roles, notes, input bar.

Server-rendered; forms post the learner's actions and htmx swaps the session panel in place
(without JavaScript the form posts and the page reloads). Notes auto-save after 2 s of quiet.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.content import service as content_service
from learningos.deps import ServicesDep, SessionDep
from learningos.kit.errors import AIBudgetExceeded, AppError
from learningos.learning.repository import MapRepository
from learningos.models.content import Content
from learningos.models.learning import AdaptationKind, ProgressStatus, SessionMode
from learningos.models.user import User
from learningos.notes.repository import NoteRepository
from learningos.progress.repository import ProgressRepository
from learningos.sessions import service
from learningos.sessions.repository import SessionRepository
from learningos.sessions.view import session_view
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import htmx_redirect, redirect_with_flash, render

router = page_router()


async def learn_context(
    session: AsyncSession, user: User, content: Content, notice: str | None = None
) -> dict[str, Any]:
    ls = await SessionRepository(session).open_on(user.id, content.id)
    maps = MapRepository(session)
    learning_map = await maps.of_content(content.id)
    concepts = await maps.concepts(learning_map.id) if learning_map else []
    progress = await ProgressRepository(session).of_concepts(user.id, [c.id for c in concepts])
    view = await session_view(session, ls) if ls else None
    current = uuid.UUID(view["concept"]["id"]) if view and view["concept"] else None
    milestone = next((c.milestone for c in concepts if c.id == current), None)
    note, versions = None, []
    if current is not None:
        note = await NoteRepository(session).of_concept(user.id, current)
        versions = await NoteRepository(session).versions(note.id) if note else []
    # What the system adapted for the concept being taught; a line about an earlier concept
    # does not stay under later ones.
    here = [a for a in (view or {}).get("adaptations", []) if a["concept_id"] == str(current)]
    offers = [a for a in here if a["kind"] == AdaptationKind.OFFER_SKIP]
    return {
        "active": "library",
        "content": content,
        "learning_map": learning_map,
        "concepts": [c for c in concepts if milestone is None or c.milestone == milestone],
        "status_of": {
            c.id: (progress[c.id].status if c.id in progress else ProgressStatus.NOT_STARTED)
            for c in concepts
        },
        "current_id": current,
        "view": view,
        "note": note,
        "versions": versions,
        "adaptations": [a for a in here if a["kind"] != AdaptationKind.OFFER_SKIP],
        "offer": offers[-1] if offers and not offers[-1]["details"].get("accepted") else None,
        "notice": notice,
    }


@router.get("/learn/{content_id}", name="learn")
async def learn_page(
    request: Request, content_id: uuid.UUID, user: SignedIn, session: SessionDep
) -> Response:
    content = await content_service.get_readable(session, user, content_id)
    return render(request, "sessions/learn.html", await learn_context(session, user, content))


@router.get("/learn/{content_id}/panel", name="learn_panel")
async def learn_panel(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    shown: uuid.UUID | None = None,
) -> Response:
    """The session panel, re-read after an action, with the title, the concept card and the
    milestone out of band; the notes panel too when the concept differs from `shown` (the one
    the page shows)."""
    content = await content_service.get_readable(session, learner, content_id)
    context = await learn_context(session, learner, content)
    if context["view"] is None:
        return htmx_redirect(request, f"/learn/{content_id}")
    context["notes_changed"] = shown != context["current_id"]
    return render(request, "sessions/_update.html", context)


@router.post("/learn/{content_id}/start", name="learn_start")
async def learn_start(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    concept_id: Annotated[str | None, Form()] = None,
    mode: Annotated[str, Form()] = "learn",
    review: Annotated[list[uuid.UUID] | None, Form()] = None,
) -> Response:
    chosen = uuid.UUID(concept_id) if concept_id else None
    current = await SessionRepository(session).open_on(learner.id, content_id)
    if current is not None:  # one open session per material: end it to start another
        await service.interact(session, services, learner, current.id, "end")
    ls = await service.start(
        session,
        services,
        learner,
        content_id,
        chosen,
        SessionMode.REVIEW if mode == SessionMode.REVIEW else SessionMode.LEARN,
        review[:50] if review else None,
    )
    await service.interact(session, services, learner, ls.id, "start")
    return redirect_with_flash(f"/learn/{content_id}")


@router.post("/learn/{content_id}/act", name="learn_act")
async def learn_act(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    session_id: Annotated[uuid.UUID, Form()],
    action: Annotated[str, Form()],
    message: Annotated[str, Form()] = "",
    client_id: Annotated[str | None, Form()] = None,
) -> Response:
    content = await content_service.get_readable(session, learner, content_id)
    notice = None
    try:
        await service.interact(
            session, services, learner, session_id, action, message, client_id or None
        )
    except AIBudgetExceeded as exc:
        notice = exc.message
    except AppError as exc:
        if not request.headers.get("HX-Request"):
            raise
        notice = exc.message
    if not request.headers.get("HX-Request"):
        return redirect_with_flash(f"/learn/{content_id}")
    context = await learn_context(session, learner, content, notice)
    return render(request, "sessions/_session.html", context)


@router.post("/learn/{content_id}/note", name="learn_note")
async def learn_note(
    request: Request,
    content_id: uuid.UUID,
    learner: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    concept_id: Annotated[uuid.UUID, Form()],
    content: Annotated[str, Form()] = "",
) -> Response:
    """Auto-save of the notes panel: a new version when the text changed, with AI feedback."""
    from learningos.notes.service import save

    note = await save(session, services, learner, concept_id, content[:20_000])
    if not request.headers.get("HX-Request"):
        return redirect_with_flash(f"/learn/{content_id}")
    versions = await NoteRepository(session).versions(note.id)
    return render(
        request, "sessions/_note_feedback.html", {"note": note, "versions": versions, "saved": True}
    )
