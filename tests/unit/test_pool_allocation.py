"""The monthly pool's arithmetic: the worked example of the marketplace spec, and shares that
always add up to the pool exactly and are never negative."""

from __future__ import annotations

import uuid
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learningos.kit.shares import largest_remainder
from learningos.pool.allocation import Measures, Weights, pool_of, scores, split


def test_the_worked_example_of_the_spec() -> None:
    """1,000 subscribers × $9.99: platform $2,997, pool $6,993; a creator with 15 % of the
    weighted engagement receives about $1,049."""
    revenue = 1_000 * 999
    ours, others = uuid.uuid4(), uuid.uuid4()
    # 15 % of every measure, so 15 % of the weighted engagement whatever the weights.
    measures = {
        ours: Measures(seconds=15 * 3600, sessions=15, concepts=30),
        others: Measures(seconds=85 * 3600, sessions=85, concepts=170),
    }
    result = split(revenue, measures, Weights())
    assert result.platform_cents == 299_700 and result.pool_cents == 699_300
    assert result.shares[ours] == 104_895  # $1,048.95 ≈ $1,049
    assert sum(result.shares.values()) == result.pool_cents


def test_each_measure_counts_with_its_weight() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    # a has all the time, b all the sessions and concepts: 50 % against 30 + 20 %.
    measures = {a: Measures(seconds=600), b: Measures(sessions=3, concepts=4)}
    assert scores(measures, Weights()) == {a: Fraction(1, 2), b: Fraction(1, 2)}
    shifted = Weights.of(0.7, 0.2, 0.1)
    assert scores(measures, shifted) == {a: Fraction(7, 10), b: Fraction(3, 10)}


def test_no_engagement_no_shares_and_bad_weights_refused() -> None:
    a = uuid.uuid4()
    result = split(999, {a: Measures()}, Weights())
    assert result.pool_cents == 0 and result.shares == {a: 0} and result.platform_cents == 999
    assert pool_of(0, Fraction(3, 10)) == 0
    with pytest.raises(ValueError):
        Weights.of(-0.1, 0.6, 0.5)
    with pytest.raises(ValueError):
        largest_remainder(100, {"x": 0})


def test_largest_remainder_gives_leftover_cents_to_the_largest_remainders() -> None:
    assert largest_remainder(100, {"a": 1, "b": 1, "c": 1}) == {"a": 34, "b": 33, "c": 33}
    assert largest_remainder(10, {"a": Fraction(2, 3), "b": Fraction(1, 3)}) == {"a": 7, "b": 3}
    assert largest_remainder(5, {"a": 0, "b": 1}) == {"a": 0, "b": 5}


measure = st.builds(
    Measures,
    seconds=st.integers(0, 10**7),
    sessions=st.integers(0, 10**4),
    concepts=st.integers(0, 10**4),
)


@given(
    revenue=st.integers(0, 10**10),
    creators=st.lists(measure, min_size=1, max_size=40),
    weights=st.tuples(*(st.integers(0, 100) for _ in range(3))).filter(lambda w: sum(w) > 0),
    platform=st.integers(0, 100),
)
def test_shares_sum_to_the_pool_and_are_never_negative(
    revenue: int, creators: list[Measures], weights: tuple[int, int, int], platform: int
) -> None:
    measures = {uuid.uuid4(): m for m in creators}
    result = split(
        revenue,
        measures,
        Weights(*(Fraction(w, 100) for w in weights)),
        Fraction(platform, 100),
    )
    assert sum(result.shares.values()) == result.pool_cents
    assert all(cents >= 0 for cents in result.shares.values())
    assert result.platform_cents + result.pool_cents == revenue
    assert 0 <= result.pool_cents <= revenue


@given(
    total=st.integers(0, 10**9),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=50).filter(any),
)
def test_largest_remainder_is_exact_and_within_a_cent_of_the_exact_share(
    total: int, weights: list[int]
) -> None:
    shares = largest_remainder(total, dict(enumerate(weights)))
    assert sum(shares.values()) == total
    whole = sum(weights)
    for key, weight in enumerate(weights):
        exact = Fraction(weight * total, whole)
        assert shares[key] >= 0 and abs(shares[key] - exact) < 1
