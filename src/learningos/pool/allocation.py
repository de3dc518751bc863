"""How one month's pool is divided (pure arithmetic; the closing job feeds it and posts the
result to the ledger).

The platform keeps its share of the month's recognised subscription revenue (30 % by default)
and the rest is the pool. Each creator's score is the weighted sum of their share of each
measure of engagement (study time, sessions completed, concepts explained back) over all
creators; the pool is split by score in cents with the largest-remainder method."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from learningos.kit.shares import largest_remainder


@dataclass(frozen=True)
class Measures:
    """One creator's engagement in the month, summed over their items and learners."""

    seconds: int = 0
    sessions: int = 0
    concepts: int = 0


@dataclass(frozen=True)
class Weights:
    """The weight of each measure; the reference design's 50 / 30 / 20 by default."""

    time: Fraction = Fraction(50, 100)
    sessions: Fraction = Fraction(30, 100)
    concepts: Fraction = Fraction(20, 100)

    @classmethod
    def of(cls, time: float, sessions: float, concepts: float) -> Weights:
        weights = cls(Fraction(str(time)), Fraction(str(sessions)), Fraction(str(concepts)))
        if min(weights.time, weights.sessions, weights.concepts) < 0 or (
            weights.time + weights.sessions + weights.concepts == 0
        ):
            raise ValueError("pool weights must be ≥ 0 and not all 0")
        return weights


@dataclass(frozen=True)
class Split:
    revenue_cents: int
    platform_cents: int
    pool_cents: int
    shares: dict[uuid.UUID, int]  # creator → cents; sums to pool_cents


def pool_of(revenue_cents: int, platform_share: Fraction) -> int:
    """The creators' pool: revenue less the platform's share, in whole cents (the platform's
    part is rounded up, so the pool never exceeds what was received less that share)."""
    if revenue_cents <= 0:
        return 0
    return int(revenue_cents * (1 - platform_share))  # floor for a non-negative amount


def scores(measures: Mapping[uuid.UUID, Measures], weights: Weights) -> dict[uuid.UUID, Fraction]:
    """Each creator's weighted share of the engagement (the scores sum to 1 when any creator
    has any engagement; a measure nobody has is left out and the others carry its weight)."""
    totals = {
        "seconds": sum(m.seconds for m in measures.values()),
        "sessions": sum(m.sessions for m in measures.values()),
        "concepts": sum(m.concepts for m in measures.values()),
    }
    weight = {"seconds": weights.time, "sessions": weights.sessions, "concepts": weights.concepts}
    used = {name: w for name, w in weight.items() if totals[name] > 0 and w > 0}
    whole = sum(used.values(), Fraction(0))
    if whole == 0:
        return {creator: Fraction(0) for creator in measures}
    return {
        creator: sum(
            (w / whole * Fraction(getattr(m, name), totals[name]) for name, w in used.items()),
            Fraction(0),
        )
        for creator, m in measures.items()
    }


def split(
    revenue_cents: int,
    measures: Mapping[uuid.UUID, Measures],
    weights: Weights,
    platform_share: Fraction = Fraction(30, 100),
) -> Split:
    """The month's split. Without any engagement the pool is 0 and the platform keeps the
    revenue (nobody earned a share); with it, the shares add up to the pool exactly."""
    pool = pool_of(revenue_cents, platform_share)
    by_score = scores(measures, weights)
    if pool == 0 or not any(by_score.values()):
        return Split(revenue_cents, max(revenue_cents, 0), 0, {c: 0 for c in measures})
    shares = largest_remainder(pool, by_score)
    return Split(revenue_cents, revenue_cents - pool, pool, shares)
