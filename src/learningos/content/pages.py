"""Content pages: upload, the item page with live processing state, search, delete, retry."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlencode

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from learningos.content import service
from learningos.content.upload import store_upload
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.errors import AppError, NotFound
from learningos.kit.handlers import error_body
from learningos.learning.service import map_with_concepts
from learningos.models.content import Content, ContentStatus
from learningos.progress.dashboard import learned_percent
from learningos.progress.repository import ProgressRepository
from learningos.sales import service as sales_service
from learningos.web.forms import SignedIn, page_router, refused
from learningos.web.render import redirect_with_flash, render, with_flash

router = page_router()


def _upload_context(request: Request, services: ServicesDep) -> dict[str, object]:
    settings = services.settings
    return {
        "active": "upload",
        "max_upload_mb": settings.max_upload_bytes // (1 << 20),
        "max_pages": settings.max_pdf_pages,
    }


@router.get("/library", name="library")
async def library_page(
    request: Request, user: SignedIn, session: SessionDep, show: str = "all"
) -> Response:
    """Every material of the learner with how far they are, filtered by processing state."""
    shelf = await service.library_shelf(session, user, show)
    learned = await learned_percent(session, user.id, [c.id for c in shelf.shown])
    context = {
        "active": "library",
        "contents": shelf.shown,
        "total": shelf.total,
        "show": shelf.show,
        "counts": shelf.counts,
        "purchases": await sales_service.history(session, user),
        **learned,
    }
    return render(request, "content/library.html", context)


@router.get("/upload", name="upload")
async def upload_page(request: Request, user: SignedIn, services: ServicesDep) -> Response:
    return render(request, "content/upload.html", _upload_context(request, services))


@router.post("/upload", name="upload_submit")
async def upload_submit(
    request: Request,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str | None, Form(max_length=300)] = None,
    description: Annotated[str | None, Form(max_length=5000)] = None,
) -> Response:
    xhr = request.headers.get("x-requested-with") == "XMLHttpRequest"
    try:
        result = await store_upload(
            session, services, user, file, title=title, description=description, meta=meta
        )
    except AppError as exc:
        if xhr:
            body = error_body(request.scope, exc.code, exc.message, exc.details)
            return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
        context = _upload_context(request, services)
        context["form"] = {"title": title or "", "description": description or ""}
        return refused(request, "content/upload.html", context, exc, fields=("file",))
    target = str(request.url_for("content_page", content_id=result.content.id).path)
    flash = None
    if result.duplicate:
        # Say so, and offer the title the learner typed this time as a rename.
        flash = "already_uploaded"
        wanted = service.clean_title(title)
        if wanted and wanted != result.content.title:
            target += "?" + urlencode({"rename_to": wanted})
    if xhr:
        body = {"redirect": target, "duplicate": result.duplicate}
        return with_flash(JSONResponse(body, status_code=200 if result.duplicate else 201), flash)
    return redirect_with_flash(target, flash)


@router.get("/content/{content_id}", name="content_page")
async def content_page(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    rename_to: Annotated[str | None, Query(max_length=300)] = None,
) -> Response:
    try:
        content = await service.get_readable(session, user, content_id)
    except NotFound:
        if await sales_service.for_sale(session, content_id):
            query = f"?{request.url.query}" if request.url.query else ""
            return RedirectResponse(f"/buy/{content_id}{query}", status_code=303)
        raise
    sections = (
        await service.outline(session, content) if content.status == ContentStatus.READY else []
    )
    context = _detail_context(content, sections)
    context["rename_to"] = service.rename_offer(content, user, rename_to)
    learning_map, concepts = await map_with_concepts(session, content.id)
    context["learning_map"], context["concepts"] = learning_map, concepts
    context["progress_of"] = await ProgressRepository(session).of_concepts(
        user.id, [c.id for c in concepts]
    )
    return render(request, "content/detail.html", context)


def _detail_context(content: Content, sections: Sequence[object]) -> dict[str, object]:
    return {
        "active": "library",
        "content": content,
        "content_id": content.id,
        "sections": sections,
        "stages": service.stage_states(content),
        "is_processing": content.status in (ContentStatus.PENDING, ContentStatus.PROCESSING),
    }


@router.get("/content/{content_id}/read", name="content_reader")
async def reader_page(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    section: uuid.UUID | None = None,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
) -> Response:
    """Read the material in the app: one section, opened from the contents or a citation."""
    content = await service.get_readable(session, user, content_id)
    if content.status != ContentStatus.READY:
        return redirect_with_flash(f"/content/{content_id}")
    view = await service.reading(session, content, section, page)
    context = {"active": "library", "content": content, "view": view}
    return render(request, "content/reader.html", context)


@router.get("/content/{content_id}/status", name="content_status_fragment")
async def status_fragment(
    request: Request, content_id: uuid.UUID, user: SignedIn, session: SessionDep
) -> Response:
    content = await service.get_readable(session, user, content_id)
    context = _detail_context(content, [])
    if not context["is_processing"]:
        # Finished: reload the whole page to show the sections (or the failure).
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "content/_status.html", context)


@router.get("/content/{content_id}/search", name="content_search_fragment")
async def search_fragment(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    q: str = "",
) -> Response:
    content = await service.get_readable(session, user, content_id)
    query = q.strip()[:500]
    hits = await service.search(session, services, content, query, 5) if query else []
    context = {"query": query, "hits": hits, "content_id": content.id}
    return render(request, "content/_search_results.html", context)


@router.post("/content/{content_id}/delete", name="content_delete")
async def delete_submit(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
) -> Response:
    await service.delete(session, services, user, content_id, meta)
    return redirect_with_flash("/dashboard", "content_deleted")


@router.post("/content/{content_id}/rename", name="content_rename")
async def rename_submit(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    meta: MetaDep,
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    await service.rename(session, user, content_id, title, meta)
    return redirect_with_flash(f"/content/{content_id}", "content_renamed")


@router.post("/content/{content_id}/retry", name="content_retry")
async def retry_submit(
    request: Request,
    content_id: uuid.UUID,
    user: SignedIn,
    session: SessionDep,
    services: ServicesDep,
) -> Response:
    await service.retry(session, services, user, content_id)
    return redirect_with_flash(f"/content/{content_id}")
