"""The price of a sale and how it splits: pure integer-cent arithmetic, the one place the
numbers are computed (the API, the pages' preview and the ledger posting all use it)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MIN_PRICE_CENTS = 99
MAX_PRICE_CENTS = 99_900
BASIS = 10_000  # basis points in a whole

# Platform commission by price (marketplace spec): under $5 → 20 %, $5–$19.99 → 15 %,
# from $20 → 10 %. (lowest price in cents, basis points), highest bracket first.
COMMISSION_BRACKETS: tuple[tuple[int, int], ...] = ((2000, 1000), (500, 1500), (0, 2000))


@dataclass(frozen=True)
class Split:
    """Where the buyer's money goes: the three parts always sum to `price_cents`."""

    price_cents: int
    commission_cents: int
    processor_fee_cents: int
    creator_cents: int

    @property
    def commission_basis_points(self) -> int:
        return commission_rate(self.price_cents)


def percent_of(cents: int, basis_points: int) -> int:
    """`cents × basis_points / 10,000`, rounded half up (a half cent goes up) — never floats."""
    return (cents * basis_points + BASIS // 2) // BASIS


def commission_rate(price_cents: int) -> int:
    """The platform's commission on a price, in basis points."""
    for lowest, rate in COMMISSION_BRACKETS:
        if price_cents >= lowest:
            return rate
    raise ValueError("a price is never negative")


def split(price_cents: int, fee_basis_points: int = 500, fee_fixed_cents: int = 50) -> Split:
    """Split a sale: the platform's commission and the processor's fee are each rounded half
    up to whole cents and the creator receives the rest, so nothing is lost to rounding. The
    processor's fee is capped at what is left after the commission (a creator never owes on
    a sale)."""
    if price_cents <= 0:
        raise ValueError("a price is a positive number of cents")
    commission = percent_of(price_cents, commission_rate(price_cents))
    fee = min(percent_of(price_cents, fee_basis_points) + fee_fixed_cents, price_cents - commission)
    return Split(price_cents, commission, fee, price_cents - commission - fee)


def price_problem(price_cents: int | None) -> str | None:
    """Why a price cannot be set, or None ($0.99 to $999)."""
    if price_cents is None:
        return "A paid item needs a price."
    if not MIN_PRICE_CENTS <= price_cents <= MAX_PRICE_CENTS:
        return "The price must be between $0.99 and $999.00."
    return None


def cents_from_dollars(text: str | None) -> int | None:
    """ "9.99" or "$9.99" → 999; None for anything that is not an amount in dollars."""
    cleaned = (text or "").strip().lstrip("$").replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return int(amount * 100)
