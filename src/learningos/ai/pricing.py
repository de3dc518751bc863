"""Cost of a call from its token counts and a price table (USD per million tokens)."""

from __future__ import annotations

from decimal import Decimal

from learningos.config import Settings

# Published prices the reference design used (ai.md), plus a few common neighbours.
REFERENCE_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (5.0, 15.0),
    "gpt-4o-mini": (0.15, 0.60),
    "deepseek-chat": (0.27, 1.10),
    "deepseek-reasoner": (0.55, 2.19),
    "text-embedding-3-small": (0.02, 0.0),
    "offline": (0.0, 0.0),
}
_MILLION = Decimal(1_000_000)


def price_table(settings: Settings) -> dict[str, tuple[float, float]]:
    return {**REFERENCE_PRICES, **settings.ai_prices}


def price_of(prices: dict[str, tuple[float, float]], model: str) -> tuple[float, float] | None:
    """The price of `model`, matching a dated variant (gpt-4o-2024-08-06) to its family."""
    if model in prices:
        return prices[model]
    family = max((m for m in prices if model.startswith(f"{m}-")), key=len, default=None)
    return prices[family] if family else None


def cost(
    prices: dict[str, tuple[float, float]], model: str, tokens_in: int, tokens_out: int
) -> Decimal:
    """USD, rounded to the micro-dollar; an unknown model costs 0 (the caller logs it)."""
    price = price_of(prices, model)
    if price is None:
        return Decimal(0)
    raw = Decimal(str(price[0])) * tokens_in + Decimal(str(price[1])) * tokens_out
    return (raw / _MILLION).quantize(Decimal("0.000001"))
