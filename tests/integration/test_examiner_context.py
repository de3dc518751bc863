"""What a learning session gives the Examiner besides the concept's passages: the map's other
concepts, against which an answer about something else is recognised."""

from __future__ import annotations

from learningos.demo.seed import seed_demo
from learningos.learning.repository import MapRepository
from learningos.models.learning import Concept
from learningos.sessions.steps import other_concepts


async def test_the_examiner_sees_the_maps_other_concepts(services):  # type: ignore[no-untyped-def]
    result = await seed_demo(services, lambda _: None)
    async with services.db.transaction() as session:
        learning_map = await MapRepository(session).of_content(result.content_id)
        assert learning_map is not None
        concepts: list[Concept] = await MapRepository(session).concepts(learning_map.id)
        first = concepts[0]
        others = await other_concepts(session, first)
    assert [p.title for p in others] == [c.title for c in concepts[1:]]
    assert all(p.text.startswith(f"{p.title}. ") for p in others)
