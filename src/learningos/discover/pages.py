"""The discover page: search, filters, orders and pages of the catalogue, for guests too."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response

from learningos.auth.deps import PageUser
from learningos.deps import SessionDep
from learningos.discover import service
from learningos.models.content import Category, ListingKind, ListingSort
from learningos.web.forms import page_router
from learningos.web.render import render

router = page_router()
SECTION_SIZE = 4


def _enum(kind: type[Any], value: str | None) -> Any:
    """A query value of the GET form; an unknown one counts as not given (never an error)."""
    try:
        return kind(value) if value else None
    except ValueError:
        return None


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 10_000)
    except ValueError:
        return 1


def _link(params: dict[str, Any], **changes: Any) -> str:
    """The discover address with these query values changed (empty ones, and page 1, left
    out)."""
    merged = {**params, **changes}
    kept = {k: str(v) for k, v in merged.items() if v not in (None, "") and (k, v) != ("page", 1)}
    return "/discover" + ("?" + urlencode(kept) if kept else "")


@router.get("/discover", name="discover")
async def discover_page(
    request: Request,
    user: PageUser,
    session: SessionDep,
    q: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    sort: str | None = None,
    page: str | None = None,
) -> Response:
    """The catalogue for anyone: a GET form (works without JavaScript), filter chips,
    sections for the platform library and this week's popular items when not searching."""
    query = service.listing_query(
        q,
        _enum(Category, category),
        _enum(ListingKind, kind),
        _enum(ListingSort, sort),
        _page_number(page),
    )
    results = await service.discover(session, query)
    browsing = not (query.q or query.category or query.kind or query.sort) and query.page == 1
    sections: dict[str, list[dict[str, Any]]] = {}
    if browsing and results.total:
        platform = service.listing_query(kind=ListingKind.PLATFORM, per_page=SECTION_SIZE)
        popular = service.listing_query(sort=ListingSort.POPULAR, per_page=SECTION_SIZE)
        sections["platform"] = (await service.discover(session, platform)).items
        sections["popular"] = [
            item
            for item in (await service.discover(session, popular)).items
            if item["learners_this_week"]
        ]
    params = {
        "q": query.q or "",
        "category": query.category or "",
        "kind": query.kind.value if query.kind else "",
        "sort": query.sort.value if query.sort else "",
    }
    context = {
        "active": "discover",
        "query": query,
        "params": params,
        "results": results,
        "sections": sections,
        "browsing": browsing,
        "categories": service.CATEGORIES,
        "kinds": list(ListingKind),
        "sorts": list(ListingSort),
        "link": lambda **changes: _link(params, **changes),
    }
    layout = "layouts/app.html" if user else "layouts/public.html"
    return render(request, "discover/index.html", context, layout=layout)
