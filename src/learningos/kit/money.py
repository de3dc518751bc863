"""Money shown to people: a USD price with an approximate KHR amount beside it, formatted
through Babel. Amounts are integer cents; this is display only, never arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, format_decimal, get_currency_symbol

KHR_STEP = 100  # riel amounts are rounded to the nearest 100 (the smallest note in use)


def usd(cents: int, locale: str = "en") -> str:
    """`$9.99`."""
    return format_currency(Decimal(cents) / 100, "USD", locale=locale)


def khr_approx(cents: int, khr_per_usd: int) -> int:
    """The riel amount of a USD price at the given rate, to the nearest 100 (half up)."""
    riel = Decimal(cents) * khr_per_usd / 100 / KHR_STEP
    return int(riel.quantize(Decimal(1), rounding=ROUND_HALF_UP)) * KHR_STEP


def khr(riel: int, locale: str = "en") -> str:
    """`៛41,000`: the riel sign (Khmer CLDR data) and the number grouped for the locale."""
    return get_currency_symbol("KHR", "km") + format_decimal(riel, format="#,##0", locale=locale)


def price_with_khr(cents: int, khr_per_usd: int, locale: str = "en") -> str:
    """`$9.99 (≈ ៛41,000)`."""
    return f"{usd(cents, locale)} (≈ {khr(khr_approx(cents, khr_per_usd), locale)})"
