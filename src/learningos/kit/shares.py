"""Splitting an amount of cents into shares that add up to it exactly (largest remainder)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def largest_remainder(total_cents: int, weights: Mapping[K, Fraction | int]) -> dict[K, int]:
    """`total_cents` split in proportion to `weights` (each ≥ 0, not all 0): every holder gets
    the floor of their exact share, and the cents left over go one each to the largest
    remainders (ties by the order of `weights`), so the shares sum to `total_cents` exactly
    and none is negative. A holder of weight 0 gets nothing."""
    if total_cents < 0:
        raise ValueError("the total must not be negative")
    if any(w < 0 for w in weights.values()):
        raise ValueError("a weight must not be negative")
    whole = sum(Fraction(w) for w in weights.values())
    if not weights or whole == 0:
        raise ValueError("at least one weight must be positive")
    exact = {key: Fraction(w) / whole * total_cents for key, w in weights.items()}
    shares = {key: int(value) for key, value in exact.items()}  # floor: values are ≥ 0
    left = total_cents - sum(shares.values())
    order = sorted(
        (key for key in exact if exact[key] > 0),
        key=lambda key: exact[key] - shares[key],
        reverse=True,  # sorted() is stable: equal remainders keep the order of `weights`
    )
    for key in order[:left]:
        shares[key] += 1
    return shares
