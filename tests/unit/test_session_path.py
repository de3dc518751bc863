"""Where "Next concept" goes: on from the concept the learner is on, in map order, and a
reason whenever the coach sends the learner elsewhere."""

from __future__ import annotations

import uuid

from learningos.models.learning import Concept
from learningos.sessions.path import following


def concepts(n: int, prerequisites: dict[int, list[int]] | None = None, milestone_of=None):  # type: ignore[no-untyped-def]
    rows = [
        Concept(
            id=uuid.uuid4(),
            title=f"C{i + 1}",
            order_index=i,
            milestone=milestone_of(i) if milestone_of else 0,
            prerequisites=[],
        )
        for i in range(n)
    ]
    for i, pre in (prerequisites or {}).items():
        rows[i].prerequisites = [str(rows[p].id) for p in pre]
    return rows


def test_continues_after_the_chosen_concept_not_from_the_first() -> None:
    cs = concepts(6)
    step = following(cs, cs[2].id, {cs[2].id}, 0)
    assert step is not None and step.concept is cs[3] and step.reason is None


def test_a_prerequisite_built_on_by_a_passed_concept_counts_as_met() -> None:
    # C4 needs C2, and C3 (just passed) builds on C2: no detour.
    cs = concepts(5, {2: [1], 3: [1, 2]})
    step = following(cs, cs[2].id, {cs[2].id}, 0)
    assert step is not None and step.concept is cs[3] and step.reason is None


def test_a_missing_prerequisite_comes_first_and_says_why() -> None:
    cs = concepts(5, {3: [0]})
    step = following(cs, cs[2].id, {cs[2].id}, 0)
    assert step is not None and step.concept is cs[0]
    assert step.kind == "prerequisite_first"
    assert step.reason and "“C4” builds on “C1”" in step.reason


def test_after_the_last_concept_it_goes_back_to_those_skipped_and_says_why() -> None:
    cs = concepts(4)
    step = following(cs, cs[3].id, {cs[3].id}, 0)
    assert step is not None and step.concept is cs[0] and step.kind == "back_to_skipped"
    assert step.reason and "“C4”" in step.reason


def test_stays_in_the_milestone_and_ends_when_it_is_done() -> None:
    cs = concepts(4, milestone_of=lambda i: i // 2)
    assert following(cs, cs[1].id, {cs[0].id, cs[1].id}, 0) is None
    step = following(cs, cs[2].id, {cs[2].id}, 1)
    assert step is not None and step.concept is cs[3]
