"""Content JSON API: upload, library, detail, change (title, listing fields), status, search,
retry, delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import BackgroundTasks, File, Form, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse

from learningos.auth.deps import CurrentUser, OptionalUser
from learningos.content import covers, service
from learningos.content.repository import ContentRepository, has_listing
from learningos.content.schemas import (
    ContentDetail,
    ContentOut,
    ContentUpdate,
    HitOut,
    SearchOut,
    StatusOut,
    UploadOut,
)
from learningos.content.upload import store_upload
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.kit.errors import NotFound

router = api_router("/api/v1/content", ["content"])


@router.post("/upload", response_model=UploadOut, status_code=status.HTTP_201_CREATED)
async def upload(
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
    file: Annotated[UploadFile | None, File()] = None,
    title: Annotated[str | None, Form(max_length=300)] = None,
    description: Annotated[str | None, Form(max_length=5000)] = None,
) -> Response:
    """Upload a PDF (≤ 50 MB), text or Markdown file. Processing runs in the background;
    follow it at `/content/{id}/status`. The same file again returns the existing item (200)."""
    result = await store_upload(
        session, services, user, file, title=title, description=description, meta=meta
    )
    body = UploadOut(
        content=ContentOut.model_validate(result.content),
        duplicate=result.duplicate,
        job_id=result.job.id if result.job else None,
    )
    code = status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED
    return JSONResponse(body.model_dump(mode="json"), status_code=code)


@router.get("", response_model=list[ContentOut])
async def library(user: CurrentUser, session: SessionDep):
    """The caller's library: what they uploaded and what was shared with them."""
    return await service.library(session, user)


@router.patch("/{content_id}", response_model=ContentOut)
async def rename(
    content_id: uuid.UUID,
    body: ContentUpdate,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
):
    """Change an item's title and listing fields: `description` (≤ 5,000 characters) and
    `category` (one of `GET /content/categories`). Owner or admin; 403 for a reader who is
    not the owner; 422 for an unknown category or a description over the limit."""
    return await service.update(
        session, user, content_id, body.model_dump(exclude_unset=True), meta
    )


@router.get("/{content_id}", response_model=ContentDetail)
async def detail(content_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """A content item with its sections (titles and pages)."""
    content = await service.get_readable(session, user, content_id)
    sections = await service.outline(session, content)
    return {**ContentOut.model_validate(content).model_dump(), "sections": sections}


@router.get("/{content_id}/status", response_model=StatusOut)
async def processing_status(content_id: uuid.UUID, user: CurrentUser, session: SessionDep):
    """Processing progress: status, stage, percentage and the checklist."""
    content = await service.get_readable(session, user, content_id)
    return {
        "id": content.id,
        "status": content.status,
        "stage": content.stage,
        "progress": content.progress,
        "message": content.status_message,
        "stages": service.stage_states(content),
    }


@router.get("/{content_id}/search", response_model=SearchOut)
async def search(
    content_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=20)] = 5,
):
    """Passages of this item that answer a question, best first."""
    content = await service.get_readable(session, user, content_id)
    hits = await service.search(session, services, content, q, k)
    return {"query": q, "hits": [HitOut.model_validate(h) for h in hits]}


@router.post("/{content_id}/retry", status_code=status.HTTP_202_ACCEPTED)
async def retry(
    content_id: uuid.UUID, user: CurrentUser, session: SessionDep, services: ServicesDep
):
    """Process the item again (after a failure, or to rebuild it)."""
    job = await service.retry(session, services, user, content_id)
    return {"job_id": str(job.id)}


@router.delete("/{content_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete(
    content_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    meta: MetaDep,
) -> Response:
    """Delete the item, its sections, its vectors and its stored file."""
    await service.delete(session, services, user, content_id, meta)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/{content_id}/cover", response_model=ContentOut)
async def set_cover(
    content_id: uuid.UUID,
    user: CurrentUser,
    session: SessionDep,
    services: ServicesDep,
    background: BackgroundTasks,
    file: Annotated[UploadFile | None, File()] = None,
):
    """Upload the item's cover (the owner or an admin): multipart `file`, a PNG, JPEG or
    WebP image recognised from its bytes (anything else 422), at most 5 MB (413) and 8,000
    pixels a side. It is re-encoded; `cover_url` then serves it."""
    content = await service.get_owned(session, user, content_id)
    data = await covers.read_upload(file)
    replaced = await covers.store_upload(services.storage, content, data)
    await session.flush()
    if replaced:  # background tasks run after the response, so after the commit
        background.add_task(covers.discard, services.storage, replaced)
    return content


@router.get(
    "/{content_id}/cover",
    response_class=Response,
    responses={200: {"content": {"image/webp": {}}, "description": "The cover image"}},
)
async def cover(
    content_id: uuid.UUID,
    user: OptionalUser,
    session: SessionDep,
    services: ServicesDep,
    v: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The item's cover, to anyone who may see its listing (guests too for a listed item);
    404 when there is none or the caller may not see it. With the current `v` (as in
    `cover_url`) it may be cached for good."""
    content = await ContentRepository(session).get_listing(user, content_id=content_id)
    if content is None:
        raise NotFound("No such content.")
    data = await covers.read_cover(services.storage, content)
    current = content.cover_url is not None and content.cover_url.endswith(f"?v={v}")
    scope = "public" if has_listing(content) else "private"
    age = "max-age=31536000, immutable" if current else "max-age=300"
    headers = {"Cache-Control": f"{scope}, {age}", "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type="image/webp", headers=headers)
