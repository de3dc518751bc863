"""Ratings and reviews JSON API."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from learningos.auth.deps import CurrentUser, OptionalUser
from learningos.deps import MetaDep, SessionDep
from learningos.kit.api import api_router
from learningos.listing import service
from learningos.listing.schemas import AggregateOut, RatingIn, RatingOut, ReviewsOut

router = api_router("/api/v1", ["ratings"])


@router.put(
    "/content/{content_id}/rating",
    response_model=RatingOut,
    responses={201: {"model": RatingOut, "description": "A new rating"}},
)
async def rate(
    content_id: uuid.UUID,
    body: RatingIn,
    user: CurrentUser,
    session: SessionDep,
    meta: MetaDep,
    response: Response,
):
    """Rate the item 1–5 with an optional review (≤ 2,000 characters), or change your
    rating: one per learner and item. Only a learner who may read the item and has started
    a learning session on it (403 `not_studied` otherwise); never its owner (403). 201 when
    new, 200 when changed."""
    row, created = await service.rate(session, user, content_id, body.rating, body.review, meta)
    content = await service.listing_by_id(session, user, content_id)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return {
        "content_id": row.content_id,
        "rating": row.rating,
        "review": row.review,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "rating_average": content.rating_average,
        "rating_count": content.rating_count,
    }


@router.delete("/content/{content_id}/rating", response_model=AggregateOut)
async def unrate(content_id: uuid.UUID, user: CurrentUser, session: SessionDep, meta: MetaDep):
    """Remove your rating and review of the item (none to remove is not an error)."""
    content = await service.unrate(session, user, content_id, meta)
    return {
        "content_id": content.id,
        "rating_average": content.rating_average,
        "rating_count": content.rating_count,
    }


@router.get("/content/{content_id}/reviews", response_model=ReviewsOut)
async def reviews(
    content_id: uuid.UUID,
    user: OptionalUser,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=service.MAX_PER_PAGE)] = 10,
):
    """The item's ratings and reviews, newest first, with the total. Guests may read those
    of a listed item (public, paid, platform); 404 for an item the caller may not see."""
    content = await service.listing_by_id(session, user, content_id)
    found = await service.reviews_of(session, user, content, page, per_page)
    return {
        "items": found.items,
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "rating_average": content.rating_average,
        "rating_count": content.rating_count,
    }
