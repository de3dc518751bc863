"""AI administration: prompt-version analytics and the routing in effect (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import Query

from learningos.ai.analytics import prompt_stats
from learningos.auth.deps import AdminUser
from learningos.deps import ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.kit.errors import NotFound, ValidationFailed

router = api_router("/api/v1", ["ai"])


@router.get("/analytics/prompts")
async def list_prompt_analytics(
    _admin: AdminUser, session: SessionDep, days: int = Query(90, ge=1, le=730)
) -> dict[str, Any]:
    """Every prompt version (version 0 = the offline engine) with its figures."""
    rows = await prompt_stats(session, days)
    return {"days": days, "prompts": [row.public() for row in rows]}


@router.get("/analytics/prompts/{prompt_id}")
async def compare_prompt_versions(
    prompt_id: str,
    _admin: AdminUser,
    session: SessionDep,
    versions: str | None = Query(None, description="two versions to compare, e.g. 1,2"),
    days: int = Query(90, ge=1, le=730),
) -> dict[str, Any]:
    """The versions of one prompt side by side (by default the two with the most calls)."""
    rows = [r for r in await prompt_stats(session, days) if r.prompt_id == prompt_id]
    if not rows:
        raise NotFound(f"No recorded calls for prompt {prompt_id!r} in the last {days} days.")
    if versions:
        try:
            wanted = [int(v) for v in versions.split(",") if v.strip()]
        except ValueError as exc:
            raise ValidationFailed("versions must be numbers, e.g. 1,2") from exc
        rows = [r for r in rows if r.version in wanted]
    else:
        rows = sorted(rows, key=lambda r: -r.calls)[:2]
        rows.sort(key=lambda r: r.version)
    return {"prompt_id": prompt_id, "days": days, "versions": [r.public() for r in rows]}


@router.get("/ai/status")
async def ai_status(_admin: AdminUser, services: ServicesDep) -> dict[str, Any]:
    """The routing table in effect and the offline engine's state."""
    return services.ai.status(services.index.embedder.name)
