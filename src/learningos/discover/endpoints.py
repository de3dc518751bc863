"""Catalogue JSON API: discover (guests allowed) and the learner's lists."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from learningos.auth.deps import CurrentUser
from learningos.deps import SessionDep
from learningos.discover import service
from learningos.discover.schemas import CategoryOut, LibraryPage, ListingPage
from learningos.kit.api import api_router
from learningos.models.content import Category, ListingKind, ListingSort

# Registered before the content router: its `/{content_id}` would otherwise take these paths.
router = api_router("/api/v1/content", ["discover"])

PageNo = Annotated[int, Query(ge=1, le=10_000)]
PerPage = Annotated[int, Query(ge=1, le=service.MAX_PER_PAGE)]


@router.get("/discover", response_model=ListingPage)
async def discover(
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=service.MAX_QUERY)] = None,
    category: Category | None = None,
    kind: ListingKind | None = None,
    sort: ListingSort | None = None,
    page: PageNo = 1,
    per_page: PerPage = service.PER_PAGE,
):
    """Listed items (public, paid and platform content that is ready), for anyone, signed
    in or not: full-text search over title, description and category (`q`), filters
    (`category`, `kind`), an order (`sort`: popular = distinct learners in the last 7 days;
    without it, relevance when searching and popular otherwise), one page with the total."""
    query = service.listing_query(q, category, kind, sort, page, per_page)
    return (await service.discover(session, query)).out()


@router.get("/categories", response_model=list[CategoryOut])
async def categories():
    """The fixed list of listing categories."""
    return [{"value": c.value, "label": c.label} for c in service.CATEGORIES]


@router.get("/library", response_model=LibraryPage)
async def library(
    user: CurrentUser, session: SessionDep, page: PageNo = 1, per_page: PerPage = service.PER_PAGE
):
    """The caller's items and those they added from a listing; one the access rule no longer
    lets them read is listed with `available: false` (title only)."""
    return (await service.library(session, user, page, per_page)).out()


@router.get("/shared", response_model=ListingPage)
async def shared(
    user: CurrentUser, session: SessionDep, page: PageNo = 1, per_page: PerPage = service.PER_PAGE
):
    """Items shared with the caller through a live invitation or share link."""
    return (await service.shared_with(session, user, page, per_page)).out()


@router.get("/platform", response_model=ListingPage)
async def platform(
    user: CurrentUser, session: SessionDep, page: PageNo = 1, per_page: PerPage = service.PER_PAGE
):
    """The platform library."""
    return (await service.platform(session, user, page, per_page)).out()
