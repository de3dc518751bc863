"""Learning pages: the tutor's answer to a free question on a content item's page, and the
owner's map editor."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Request
from fastapi.responses import Response

from learningos.content import service as content_service
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.jobs.repository import JobRepository
from learningos.kit.errors import AIBudgetExceeded, Conflict, ValidationFailed
from learningos.learning import editing, service
from learningos.learning.maps import draft_changes
from learningos.models.jobs import JobName
from learningos.models.user import User
from learningos.web.forms import SignedIn, page_router, refused
from learningos.web.render import redirect_with_flash, render

router = page_router()


@router.post("/content/{content_id}/ask", name="content_ask_fragment")
async def ask_fragment(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    question: Annotated[str, Form()] = "",
) -> Response:
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


# ---------- the map editor (the owner) ----------


@router.get("/content/{content_id}/map/edit", name="map_editor")
async def map_editor(
    request: Request, content_id: uuid.UUID, user: SignedIn, session: SessionDep
) -> Response:
    return render(request, "learning/map_edit.html", await _editor(session, user, content_id))


async def _editor(session: SessionDep, user: User, content_id: uuid.UUID) -> dict[str, object]:
    edit = await editing.editable(session, user, content_id)
    content = await content_service.get_readable(session, user, content_id)
    building = await JobRepository(session).unfinished(
        JobName.LEARNING_GENERATE_MAP, user.id, content_id=str(content_id)
    )
    draft = edit.learning_map.draft
    return {
        "active": "library",
        "content": content,
        "concepts": edit.concepts,
        "titles": {str(c.id): c.title for c in edit.concepts},
        "building": building is not None,
        "draft": draft,
        "changes": draft_changes(draft, edit.concepts) if draft else None,
    }


@router.post("/content/{content_id}/map/edit", name="map_editor_submit")
async def map_editor_submit(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    action: Annotated[str, Form()] = "",
    granularity: Annotated[str, Form()] = "default",
    concept_id: Annotated[uuid.UUID | None, Form()] = None,
    title: Annotated[str, Form(max_length=300)] = "",
    description: Annotated[str, Form(max_length=2000)] = "",
    into: Annotated[uuid.UUID | None, Form()] = None,
    prerequisites: Annotated[list[uuid.UUID] | None, Form()] = None,
) -> Response:
    """Every editor button posts here with its `action`; the editor comes back, scrolled to
    the concept, or shows the reason in place (400) when the change is refused."""
    if action in ("regenerate", "draft_apply", "draft_discard"):
        return await _regenerate(request, session, services, user, content_id, action, granularity)
    try:
        # Every edit checks its input before it writes, so a refused one changes nothing.
        changed = await _apply(
            session, user, content_id, meta, action, concept_id, title, description, into,
            prerequisites or [],
        )  # fmt: skip
    except (ValidationFailed, Conflict) as exc:
        context = await _editor(session, user, content_id)
        return refused(request, "learning/map_edit.html", context, exc, fields=())
    anchor = f"#concept-{changed}" if changed else ""
    return redirect_with_flash(f"/content/{content_id}/map/edit{anchor}", "map_updated")


async def _apply(
    session: SessionDep,
    user: User,
    content_id: uuid.UUID,
    meta: MetaDep,
    action: str,
    concept_id: uuid.UUID | None,
    title: str,
    description: str,
    into: uuid.UUID | None,
    prerequisites: list[uuid.UUID],
) -> uuid.UUID | None:
    if action == "add":
        return (
            await editing.add_concept(session, user, content_id, title, description, None, meta)
        ).id
    if concept_id is None:
        raise ValidationFailed("Choose a concept.")
    edit, concept = await editing.editable_of_concept(session, user, concept_id)
    if edit.learning_map.content_id != content_id:
        raise ValidationFailed("This concept belongs to another material.")
    place = edit.concepts.index(concept)
    if action == "save":
        changes = {"title": title, "description": description, "prerequisites": prerequisites}
        await editing.update_concept(session, user, concept_id, changes, meta)
    elif action in ("hide", "show"):
        await editing.update_concept(session, user, concept_id, {"hidden": action == "hide"}, meta)
    elif action in ("up", "down"):
        target = place - 1 if action == "up" else place + 1
        await editing.move_concept(session, user, concept_id, max(target, 0), meta)
    elif action == "split":
        return (await editing.split_concept(session, user, concept_id, title, description, meta)).id
    elif action == "merge":
        if into is None:
            raise ValidationFailed("Choose the concept to merge into.")
        return (await editing.merge_concepts(session, user, concept_id, into, meta)).id
    else:
        raise ValidationFailed("Unknown change.")
    return concept_id


async def _regenerate(
    request: Request,
    session: SessionDep,
    services: ServicesDep,
    user: User,
    content_id: uuid.UUID,
    action: str,
    granularity: str,
) -> Response:
    """Build a new map as a draft, or replace the map with the draft, or discard it."""
    url = f"/content/{content_id}/map/edit"
    if action == "regenerate":
        if granularity not in ("fewer", "default", "more"):
            raise ValidationFailed("Choose fewer, the same or more concepts.")
        await service.request_map(session, services, user, content_id, granularity, preview=True)
        return redirect_with_flash(url + "#regenerate", "map_regenerating")
    await service.settle_draft(session, user, content_id, accept=action == "draft_apply")
    return redirect_with_flash(url, "map_replaced" if action == "draft_apply" else "map_kept")
