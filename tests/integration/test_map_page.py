"""The learning map on the content page shows what each concept builds on."""

from __future__ import annotations

from tests.conftest import register
from tests.integration.test_content import processed, upload
from tests.integration.test_pages import html, sign_in_page

COURSE = b"""# Data structures

Two ways of keeping several values together in a program.

## Lists

A list is a sequence of values, called elements, kept in order. The elements of a list are
numbered from zero, and the bracket operator reads one element of a list by its index. Lists
are mutable: an element of a list can be replaced, and a list can grow or shrink. A list can
hold values of any type, even another list.

## Tuples

A tuple is a sequence of values like a list, but tuples are immutable. Unlike a list, a
tuple cannot change once it is made. A list is the better choice when the values change; a
tuple when they must not. A list of tuples is a common way to keep records, and a tuple can
be turned into a list when it must change.
"""


async def test_the_map_shows_what_a_concept_builds_on(client, services):  # type: ignore[no-untyped-def]
    await register(client)
    await sign_in_page(client)
    tokens = {"access_token": client.cookies["lo_access"]}
    r = await upload(client, tokens, "structures.md", COURSE, title="Data structures")
    content_id = r.json()["content"]["id"]
    status = await processed(client, services, tokens, content_id)
    assert status["status"] == "ready", status
    doc = html(await client.get(f"/content/{content_id}"))
    items = {
        li.css_first("p span:not(.sr-only)").text(): li
        for li in doc.css("section[aria-labelledby=map-title] ol li")
    }
    assert {"Lists", "Tuples"} <= set(items), list(items)
    needs = items["Tuples"].css_first("[data-prerequisites]")
    assert needs is not None and needs.text() == "Builds on: Lists"
    assert items["Lists"].css_first("[data-prerequisites]") is None
