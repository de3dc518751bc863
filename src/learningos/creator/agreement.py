"""The creator agreement in force and the countries a creator may give."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale

# Bump when the agreement's text changes (web/templates/legal/creator_agreement.html): a
# creator's profile records the version they accepted and when.
AGREEMENT_VERSION = "2026-12-04"


@lru_cache
def countries(locale: str = "en") -> tuple[tuple[str, str], ...]:
    """ISO 3166-1 alpha-2 codes with their names (Babel's CLDR data), sorted by name."""
    names = Locale.parse(locale).territories
    pairs = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    # "ZZ" is CLDR's "Unknown Region"; the EU, UN and the like are not countries.
    skip = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"}
    return tuple(sorted(((c, n) for c, n in pairs if c not in skip), key=lambda p: p[1]))


def is_country(code: str) -> bool:
    return code in dict(countries())
