"""Notes pages: the learner's notes grouped by content, with search."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from learningos.deps import SessionDep
from learningos.notes import service
from learningos.web.forms import SignedIn, page_router
from learningos.web.render import render

router = page_router()
MAX_QUERY = 500


@router.get("/notes", name="notes")
async def notes_page(
    request: Request, user: SignedIn, session: SessionDep, q: str = ""
) -> Response:
    query = q.strip()[:MAX_QUERY]
    context: dict[str, object] = {
        "active": "notes",
        "groups": service.by_content(await service.list_notes(session, user)),
        "query": query,
    }
    if query:  # the search form without JavaScript: results shown in place
        context["hits"] = await service.search(session, user, query)
    return render(request, "notes/index.html", context)


@router.get("/notes/search", name="notes_search_fragment")
async def search_fragment(
    request: Request, user: SignedIn, session: SessionDep, q: str = ""
) -> Response:
    query = q.strip()[:MAX_QUERY]
    hits = await service.search(session, user, query) if query else []
    return render(request, "notes/_results.html", {"query": query, "hits": hits})
