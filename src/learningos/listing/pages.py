"""Listing pages: `/c/{slug-or-id}` (guests too), "Start learning", `/sitemap.xml` and
`/robots.txt`."""

from __future__ import annotations

from typing import Annotated
from xml.sax.saxutils import escape

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response

from learningos.auth.deps import PageUser
from learningos.content.repository import ContentRepository
from learningos.deps import MetaDep, ServicesDep, SessionDep
from learningos.listing import service
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import redirect_with_flash, render

router = page_router()
REVIEWS_PER_PAGE = 10


def _absolute(services: ServicesDep, path: str) -> str:
    return services.settings.base_url.rstrip("/") + path


# The path parameter is named `content_id` like every other route on an item (the access
# matrix finds them by it), but it holds a slug or an id.
@router.get("/c/{content_id}", name="listing")
async def listing_page(
    request: Request,
    content_id: str,
    user: PageUser,
    session: SessionDep,
    services: ServicesDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """An item's public listing: title, author, description, cover, what you'll learn,
    rating and reviews, and "Start learning". `/c/{id}` moves to `/c/{slug}` when the item
    has one. Shared and private items: only for who may read them, never indexed."""
    content = await service.find_listing(session, user, content_id)
    if content.slug and content_id != content.slug:
        target = f"/c/{content.slug}" + (f"?page={page}" if page > 1 else "")
        return RedirectResponse(target, status_code=301)
    view = await service.listing(session, user, content, page, REVIEWS_PER_PAGE)
    path = f"/c/{content.slug or content.id}"
    context = {
        "view": view,
        "content": content,
        "here": path,
        "canonical": _absolute(services, path),
        "og_image": _absolute(services, content.cover_url) if content.cover_url else None,
        "base": services.settings.base_url.rstrip("/"),
    }
    headers = {} if view.indexable else {"X-Robots-Tag": "noindex"}
    return render(
        request, "listing/page.html", context, layout="layouts/public.html", headers=headers
    )


@router.post("/c/{content_id}/start", name="listing_start")
async def start_submit(
    request: Request, content_id: str, user: SignedIn, session: SessionDep, meta: MetaDep
) -> Response:
    """Add the item to the learner's library and open it (once; again changes nothing)."""
    content, readable = await service.start_learning(session, user, content_id, meta)
    if readable:
        return redirect_with_flash(f"/content/{content.id}", "added_to_library")
    return redirect_with_flash(f"/c/{content.slug or content.id}", "added_to_library")


@router.get("/sitemap.xml", name="sitemap")
async def sitemap(session: SessionDep, services: ServicesDep) -> Response:
    """The public listings (public, paid and platform items), for search engines."""
    entries: list[tuple[str, str | None]] = [(_absolute(services, "/"), None)]
    for slug, updated in await ContentRepository(session).listed_for_sitemap():
        entries.append((_absolute(services, f"/c/{slug}"), updated.date().isoformat()))
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, lastmod in entries:
        modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{escape(loc)}</loc>{modified}</url>")
    lines.append("</urlset>")
    headers = {"Cache-Control": "public, max-age=3600"}
    return Response("\n".join(lines) + "\n", media_type="application/xml", headers=headers)


@router.get("/robots.txt", name="robots")
async def robots(services: ServicesDep) -> Response:
    body = (
        "User-agent: *\n"
        "Allow: /c/\n"
        "Disallow: /api/\n"
        "Disallow: /s/\n"
        f"Sitemap: {_absolute(services, '/sitemap.xml')}\n"
    )
    return Response(
        body, media_type="text/plain", headers={"Cache-Control": "public, max-age=3600"}
    )
