"""Where "Next concept" goes in a learn session: on from the concept the learner is on, in
map order, with a reason whenever that is not simply the next concept of the map."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass

from learningos.models.learning import AdaptationKind, Concept


@dataclass(frozen=True)
class Step:
    concept: Concept
    kind: AdaptationKind | None = None  # a detour's kind when not the plain next
    reason: str | None = None


def _prerequisites(concept: Concept) -> list[uuid.UUID]:
    return [uuid.UUID(str(p)) for p in concept.prerequisites]


def _met(done: set[uuid.UUID], by_id: dict[uuid.UUID, Concept]) -> set[uuid.UUID]:
    """Completed concepts and everything they build on: passing a concept shows its
    prerequisites are in place, even when they were never studied on their own."""
    met, stack = set(done), list(done)
    while stack:
        concept = by_id.get(stack.pop())
        for pid in _prerequisites(concept) if concept else []:
            if pid not in met:
                met.add(pid)
                stack.append(pid)
    return met


def _prerequisite(
    target: Concept,
    by_id: dict[uuid.UUID, Concept],
    order: dict[uuid.UUID, int],
    met: set[uuid.UUID],
) -> Concept | None:
    """The earliest (in map order) prerequisite of `target` not yet met, followed down to one
    whose own prerequisites are all met; None when none is missing."""
    found: Concept | None = None
    current, seen = target, {target.id}
    while True:
        missing = [
            by_id[pid]
            for pid in _prerequisites(current)
            if pid in by_id and pid not in met and pid not in seen
        ]
        if not missing:
            return found
        current = min(missing, key=lambda c: order[c.id])
        found = current
        seen.add(current.id)


def following(
    concepts: list[Concept],
    current_id: uuid.UUID | None,
    completed: Collection[uuid.UUID],
    milestone: int | None,
) -> Step | None:
    """After `current_id`: the first concept after it in map order (within `milestone` when
    given) that is not completed, then those before it (skipped when the learner chose a later
    start). A concept whose prerequisite is not met yet (neither completed nor built on by a
    completed concept) sends the learner to that prerequisite first. None when every concept
    of the milestone is completed."""
    order = {c.id: i for i, c in enumerate(concepts)}
    by_id = {c.id: c for c in concepts}
    done = set(completed) | ({current_id} if current_id else set())
    here = order.get(current_id, -1) if current_id else -1
    pool = [c for c in concepts if milestone is None or c.milestone == milestone]
    after = [c for c in pool if order[c.id] > here and c.id not in done]
    before = [c for c in pool if order[c.id] < here and c.id not in done]
    if not after and not before:
        return None
    current = by_id.get(current_id) if current_id else None
    target = (after or before)[0]
    needed = _prerequisite(target, by_id, order, _met(done, by_id))
    if needed is not None:
        return Step(
            needed,
            AdaptationKind.PREREQUISITE_FIRST,
            f"“{target.title}” builds on “{needed.title}”, which you have not completed yet, "
            f"so the coach takes you there first.",
        )
    if not after and current is not None:
        return Step(
            target,
            AdaptationKind.BACK_TO_SKIPPED,
            f"You have done the concepts after “{current.title}” in this milestone; "
            f"“{target.title}” came before and is not done yet.",
        )
    return Step(target)
