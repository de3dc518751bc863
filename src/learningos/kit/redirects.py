"""Every redirect target (Location, HX-Redirect, ?next=) passes this one check."""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_TARGET = "/dashboard"


def same_site_path(value: str | None, default: str = DEFAULT_TARGET) -> str:
    """`value` when it is a path on this site, else `default`.

    A browser reads "\\" as "/" and drops tabs and newlines from URLs, so "/\\evil.example"
    and "/\\t/evil.example" are other sites as much as "//evil.example" and
    "https://evil.example": anything but a plain path starting with one "/" is refused."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return default
    if "\\" in value or any(ch.isspace() or not ch.isprintable() for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
