"""Copyright takedown requests: stored, audited, and mailed to every admin."""

from __future__ import annotations

from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.kit.audit import audit
from learningos.kit.errors import ValidationFailed
from learningos.kit.requestmeta import RequestMeta
from learningos.models.jobs import JobName
from learningos.models.sales import TakedownRequest
from learningos.models.user import User
from learningos.services import Services

LIMITS = {
    "reporter_name": 200,
    "reporter_email": 320,
    "content_url": 1000,
    "original_work": 4000,
    "statement": 4000,
}


def _clean(fields: dict[str, str]) -> dict[str, str]:
    problems = []
    out: dict[str, str] = {}
    for name, limit in LIMITS.items():
        value = (fields.get(name) or "").strip()
        if not value:
            problems.append({"field": name, "message": "This field is required."})
        elif len(value) > limit:
            problems.append({"field": name, "message": f"At most {limit} characters."})
        out[name] = value
    address = parseaddr(out["reporter_email"])[1]
    if out["reporter_email"] and ("@" not in address or address != out["reporter_email"]):
        problems.append({"field": "reporter_email", "message": "Enter a valid email address."})
    if problems:
        raise ValidationFailed("Check the highlighted fields.", details=problems)
    return out


async def submit(
    session: AsyncSession,
    services: Services,
    user: User | None,
    fields: dict[str, str],
    meta: RequestMeta,
) -> TakedownRequest:
    """Store a takedown request and tell the admins (an email each, after commit)."""
    values = _clean(fields)
    await services.limiter.hit("10/hour", "takedown", meta.ip or "unknown")
    row = TakedownRequest(**values, user_id=user.id if user else None)
    session.add(row)
    await session.flush()
    await services.queue.enqueue(session, JobName.CREATOR_TAKEDOWN_EMAIL, {"id": str(row.id)})
    await audit(
        session,
        "copyright.takedown_requested",
        meta,
        user.id if user else None,
        takedown_id=str(row.id),
        content_url=values["content_url"][:300],
    )
    return row
