"""Personalisation rules that read the learner's data. Every adaptation is stored with its
reason, so the learner can see why the system chose what it did."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models.learning import (
    Adaptation,
    AdaptationKind,
    Concept,
    ConceptProgress,
    LearningSession,
)
from learningos.models.user import User
from learningos.progress import rules

HIGH_FIRST_TRY = 0.9
EASY = 2  # difficulty at or below which a concept may be skipped after a strong start
SLOW_FACTOR = 2.0  # time on a concept beyond this many times its estimate is unusual


async def _already(
    session: AsyncSession, user_id: Any, concept_id: Any, kind: AdaptationKind
) -> Adaptation | None:
    query = select(Adaptation).where(
        Adaptation.user_id == user_id,
        Adaptation.concept_id == concept_id,
        Adaptation.kind == kind,
    )
    return await session.scalar(query.limit(1))


async def after_evaluation(
    session: AsyncSession,
    ls: LearningSession,
    concept: Concept,
    progress: ConceptProgress,
    concepts: list[Concept],
    done: set[Any],
    adapt_difficulty: bool = True,
) -> list[Adaptation]:
    """The rules that fire after an evaluation; returns the new adaptations. Without
    `adapt_difficulty` (the learner chose a fixed difficulty) the pace and the path stay as
    they are: no slower pace, no offer to skip."""
    made: list[Adaptation] = []
    confidences = [float(h["confidence"]) for h in progress.confidence_history]
    lows = rules.lows(confidences)

    def adapt(kind: AdaptationKind, reason: str, **details: Any) -> None:
        row = Adaptation(
            user_id=ls.user_id,
            content_id=ls.content_id,
            concept_id=concept.id,
            session_id=ls.id,
            kind=kind,
            reason=reason,
            details=details,
        )
        session.add(row)
        made.append(row)

    if (
        adapt_difficulty
        and rules.repeatedly_low(confidences)
        and not await _already(session, ls.user_id, concept.id, AdaptationKind.SLOWER_PACE)
    ):
        adapt(
            AdaptationKind.SLOWER_PACE,
            f"{len(lows)} explanations of “{concept.title}” scored below "
            f"{rules.LOW_BELOW:.0%}, so the tutor now goes slower with more examples, and the "
            "concept is scheduled for review soon.",
            confidences=confidences,
        )
    if adapt_difficulty and len(confidences) == 1 and confidences[0] >= HIGH_FIRST_TRY:
        easy = [
            c
            for c in concepts
            if c.milestone == concept.milestone
            and c.id != concept.id
            and c.id not in done
            and c.difficulty <= EASY
        ]
        if easy:
            adapt(
                AdaptationKind.OFFER_SKIP,
                f"You explained “{concept.title}” at {confidences[0]:.0%} on the first try, so "
                f"you may skip the {len(easy)} easier concept(s) left in this milestone.",
                concepts=[str(c.id) for c in easy],
                titles=[c.title for c in easy],
            )
    estimate = concept.estimated_minutes * 60
    if progress.time_spent_seconds > SLOW_FACTOR * estimate and not await _already(
        session, ls.user_id, concept.id, AdaptationKind.SESSION_LENGTH
    ):
        minutes = progress.time_spent_seconds // 60
        adapt(
            AdaptationKind.SESSION_LENGTH,
            f"“{concept.title}” took {minutes} minutes against an estimate of "
            f"{concept.estimated_minutes}: sessions are planned shorter, one concept at a time.",
            minutes=minutes,
            estimate=concept.estimated_minutes,
        )
    return made


def reviewing_first(session: AsyncSession, ls: LearningSession, due: list[Concept]) -> Adaptation:
    """Auto-review: a learn session that starts with the concepts due for review."""
    titles = [c.title for c in due]
    row = Adaptation(
        user_id=ls.user_id,
        content_id=ls.content_id,
        concept_id=due[0].id,
        session_id=ls.id,
        kind=AdaptationKind.REVIEW_FIRST,
        reason=(
            f"{len(due)} concept(s) of this material are due for review today "
            f"({', '.join(titles[:3])}{'…' if len(titles) > 3 else ''}), so this session starts "
            "with them. Auto-review can be turned off in your settings."
        ),
        details={"concepts": [str(c.id) for c in due], "titles": titles},
    )
    session.add(row)
    return row


def adaptive(user: User) -> bool:
    """Whether the learner lets the system adapt difficulty and pace (settings: difficulty
    adaptive, the default, or fixed)."""
    from learningos.account.service import learning_prefs

    return learning_prefs(user).difficulty != "fixed"


async def slowed(session: AsyncSession, user_id: Any, concept_id: Any) -> bool:
    """Whether the tutor should go slower on this concept for this learner."""
    return await _already(session, user_id, concept_id, AdaptationKind.SLOWER_PACE) is not None


def detour(
    session: AsyncSession,
    ls: LearningSession,
    concept: Concept,
    reason: str,
    kind: AdaptationKind | None,
) -> Adaptation:
    """The coach sends the learner to `concept` rather than the next one of the map."""
    row = Adaptation(
        user_id=ls.user_id,
        content_id=ls.content_id,
        concept_id=concept.id,
        session_id=ls.id,
        kind=kind or AdaptationKind.DETOUR,
        reason=reason,
        details={"from": str(ls.concept_id) if ls.concept_id else None},
    )
    session.add(row)
    return row
