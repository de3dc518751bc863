"""How a session is shown: to the API as JSON and to the page."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.learning.repository import MapRepository
from learningos.models.learning import Interaction, LearningSession, ProgressStatus
from learningos.progress.repository import ProgressRepository
from learningos.sessions import machine
from learningos.sessions.repository import SessionRepository


def message(row: Interaction) -> dict[str, Any]:
    evaluation = row.evaluation or {}
    return {
        "id": str(row.id),
        "role": row.role,
        "concept_id": str(row.concept_id) if row.concept_id else None,
        "learner_text": row.user_input,
        "text": row.ai_response,
        "evaluation": evaluation,
        "engine": evaluation.get("engine"),
        "fallback": row.fallback,
        "tokens_in": row.tokens_in,
        "tokens_out": row.tokens_out,
        "cost_usd": str(row.cost_usd),
        "prompt": f"{row.prompt_id}/v{row.prompt_version}" if row.prompt_id else None,
        "created_at": row.created_at.isoformat(),
    }


async def session_view(
    session: AsyncSession, ls: LearningSession, *, replayed: bool = False
) -> dict[str, Any]:
    repo = SessionRepository(session)
    interactions = await repo.interactions(ls.id)
    adaptations = await repo.adaptations(ls.id)
    concept: dict[str, Any] | None = None
    done = total = 0
    if ls.content_id is not None:
        maps = MapRepository(session)
        learning_map = await maps.of_content(ls.content_id)
        concepts = await maps.concepts(learning_map.id) if learning_map else []
        progress = await ProgressRepository(session).of_concepts(
            ls.user_id, [c.id for c in concepts]
        )
        total = len(concepts)
        done = sum(1 for p in progress.values() if p.status == ProgressStatus.COMPLETED)
        for c in concepts:
            if c.id == ls.concept_id:
                row = progress.get(c.id)
                concept = {
                    "id": str(c.id),
                    "title": c.title,
                    "description": c.description,
                    "difficulty": c.difficulty,
                    "order_index": c.order_index,
                    "milestone": c.milestone,
                    "page_start": c.page_start,
                    "page_end": c.page_end,
                    "status": row.status if row else ProgressStatus.NOT_STARTED,
                    "last_confidence": row.last_confidence if row else None,
                }
    cost = sum((i.cost_usd for i in interactions), start=0)
    return {
        "id": str(ls.id),
        "content_id": str(ls.content_id) if ls.content_id else None,
        "status": ls.status,
        "state": ls.state,
        "paused_from": ls.paused_from,
        "mode": ls.mode,
        "version": ls.version,
        "allowed": machine.allowed(ls.state, ls.paused_from),  # type: ignore[arg-type]
        "concept": concept,
        "progress": {"completed": done, "total": total},
        "confidence": ls.confidence_score,
        "practice_task": ls.practice_task,
        "time_spent_seconds": ls.time_spent_seconds,
        "cost_usd": str(cost),
        "messages": [message(i) for i in interactions],
        "adaptations": [
            {
                "kind": a.kind,
                "concept_id": str(a.concept_id) if a.concept_id else None,
                "reason": a.reason,
                "details": a.details,
                "at": a.created_at.isoformat(),
            }
            for a in adaptations
        ],
        "summary": ls.summary,
        "replayed": replayed,
        "created_at": ls.created_at.isoformat() if ls.created_at else None,
    }
