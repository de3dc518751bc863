"""The contradiction rules of the offline Examiner (ai/offline/judge.py), on aligned pairs given
directly (the cosine matrix is set by hand, so no model runs)."""

from __future__ import annotations

import numpy as np

from learningos.ai.offline import judge
from learningos.ai.offline.judge import Statement


def flips(said: list[str], material: list[str], sims: list[list[float]]) -> list[judge.Flip]:
    statements = [Statement(t, 5) for t in material]
    return judge._flips(said, statements, np.array(sims, dtype=np.float32))


def test_a_nearly_as_close_statement_that_does_not_name_the_point_does_not_excuse() -> None:
    said = ["Adult weights are a classic example of a normal, not lognormal, distribution."]
    material = [
        "The distribution of adult weights is approximately lognormal.",
        "The figure shows the distribution of adult weights on a linear scale with a model.",
    ]
    found = flips(said, material, [[0.77, 0.74]])
    assert [f.kind for f in found] == ["negation"]
    assert found[0].statement.text == material[0]


def test_a_nearly_as_close_statement_that_agrees_on_the_point_excuses() -> None:
    said = ["Adult weights are a classic example of a normal, not lognormal, distribution."]
    material = [
        "The distribution of adult weights is approximately lognormal.",
        "Adult weights are not lognormal in the tail, where they look normal.",
    ]
    assert flips(said, material, [[0.77, 0.75]]) == []


def test_a_number_the_aligned_statement_and_the_material_do_not_state_is_a_contradiction() -> None:
    said = ["With a 5% threshold you expect a false positive 19 times in 20."]
    material = ["With a 5% threshold, you expect a false positive 1 time in 20."]
    found = flips(said, material, [[0.86]])
    assert [f.kind for f in found] == ["number"]


def test_numbers_the_material_states_elsewhere_are_no_contradiction() -> None:
    said = ["With a 5% threshold you expect a false positive 1 time in 20, 20 tests."]
    material = [
        "With a 5% threshold, you expect a false positive 1 time in 20.",
        "Run 20 tests and expect one.",
    ]
    assert flips(said, material, [[0.86, 0.3]]) == []


def test_a_rival_that_uses_both_opposites_does_not_excuse() -> None:
    said = ["When two variables vary together their deviations have the opposite sign."]
    material = [
        "If X and Y vary together, their deviations tend to have the same sign.",
        "The product is positive when the deviations have the same sign and negative when "
        "they have the opposite sign.",
    ]
    found = flips(said, material, [[0.66, 0.65]])
    assert [(f.kind, f.words) for f in found] == [("opposite", ("opposite", "same"))]
