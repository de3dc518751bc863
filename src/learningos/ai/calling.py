"""What every domain hands the gateway: who is calling, and the passages a context holds."""

from __future__ import annotations

from learningos.ai.gateway import Caller
from learningos.ai.inputs import Passage
from learningos.models.content import Content
from learningos.models.user import User
from learningos.retrieval.context import Context


def passages_from(context: Context) -> list[Passage]:
    """The sources of an assembled context as the AI roles' passages (text as included)."""
    return [
        Passage(
            text=text,
            title=hit.title,
            section_id=str(hit.section_id),
            page_start=hit.page_start,
            page_end=hit.page_end,
        )
        for hit, text in zip(context.sources, context.source_texts, strict=False)
    ]


def caller_for(user: User, content: Content | None = None) -> Caller:
    return Caller(user_id=user.id, tier=user.tier, content_id=content.id if content else None)
