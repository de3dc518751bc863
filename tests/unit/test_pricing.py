"""The sale split: integer cents, the brackets at their edges, parts that always sum."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learningos.kit.money import khr_approx, price_with_khr
from learningos.sales.pricing import (
    MAX_PRICE_CENTS,
    MIN_PRICE_CENTS,
    cents_from_dollars,
    commission_rate,
    percent_of,
    price_problem,
    split,
)


@given(
    st.integers(MIN_PRICE_CENTS, MAX_PRICE_CENTS),
    st.integers(0, 2000),
    st.integers(0, 200),
)
def test_parts_sum_to_the_price_and_none_is_negative(price, fee_bp, fee_fixed):
    parts = split(price, fee_bp, fee_fixed)
    total = parts.commission_cents + parts.processor_fee_cents + parts.creator_cents
    assert total == price
    assert min(parts.commission_cents, parts.processor_fee_cents, parts.creator_cents) >= 0
    assert all(isinstance(v, int) for v in vars(parts).values())


@given(st.integers(MIN_PRICE_CENTS, MAX_PRICE_CENTS))
def test_default_fee_leaves_the_creator_something(price):
    assert split(price).creator_cents > 0


@pytest.mark.parametrize(
    ("price", "rate"),
    [(99, 2000), (499, 2000), (500, 1500), (1999, 1500), (2000, 1000), (99_900, 1000)],
)
def test_commission_brackets_at_their_edges(price, rate):
    assert commission_rate(price) == rate


def test_worked_examples():
    # $10.00: 15 % = 150, 5 % + 50 = 100, creator 750.
    assert vars(split(1000)) == {
        "price_cents": 1000, "commission_cents": 150, "processor_fee_cents": 100,
        "creator_cents": 750,
    }  # fmt: skip
    # $0.99: 19.8 → 20 (half up), 4.95 → 5 + 50, creator 24.
    assert (split(99).commission_cents, split(99).processor_fee_cents) == (20, 55)
    # $9.99: 149.85 → 150, 49.95 → 50 + 50 = 100.
    assert split(999).creator_cents == 999 - 150 - 100
    assert percent_of(5, 5000) == 3 and percent_of(1, 4999) == 0


def test_price_range_and_parsing():
    assert price_problem(98) and price_problem(99_901) and price_problem(None)
    assert price_problem(99) is None and price_problem(99_900) is None
    assert cents_from_dollars("9.99") == 999 and cents_from_dollars("$1,000") == 100_000
    assert cents_from_dollars("9.999") is None and cents_from_dollars("nan") is None
    assert cents_from_dollars("abc") is None and cents_from_dollars("") is None


def test_khr_beside_the_dollar_price():
    assert price_with_khr(999, 4100) == "$9.99 (≈ ៛41,000)"
    assert khr_approx(99, 4100) == 4100 and khr_approx(50, 4100) == 2100
