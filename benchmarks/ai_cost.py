"""AI cost of one learning session: the reference routing against all-gpt-4o.

A session of `--concepts` concepts of ThinkStats2, each: the tutor explains (with the 4,000-token
context of the concept's own sections), the learner asks the tutor one question, the learner
explains back, the examiner scores it and the coach decides; the reviewer summarises at the end.
Every call goes through the product's AI gateway and the real OpenAI adapter to a local fake
OpenAI-compatible server that answers with replies of realistic length and reports usage as
the provider would (whitespace tokens of the messages and the reply). Costs are the recorded
`ai_usage` rows, priced with the reference table (ai.md). The ratio is what matters: both
routings see the same prompts and replies.

  .venv/bin/python benchmarks/ai_cost.py [--concepts 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BOOK = ROOT.parent / "shared" / "eval" / "books" / "thinkstats2.pdf"

TUTOR = (
    "Here is the idea in plain words. " + "The material explains it step by step with data. " * 22
    + "For example, the pregnancy lengths in the survey show it [1]. "
    "How would you explain it to a friend in your own words?"
)  # fmt: skip
EXAMINER = json.dumps(
    {
        "confidence": 0.62,
        "feedback": "The explanation names the main idea and how it is computed. It does not "
        "say when the measure misleads or how it relates to the distribution's shape.",
        "gaps": ["when the measure misleads", "link to the shape of the distribution"],
    }
)
COACH = json.dumps(
    {
        "decision": "practice",
        "reason": "Confidence 0.62: the idea is there but two links are missing.",
        "task": "Take the birth-weight data and describe in 3-5 sentences how the measure "
        "changes when you remove the heaviest 1 % of babies.",
    }
)
REVIEWER = json.dumps(
    {
        "summary": "Five concepts covered in 40 minutes. Confidence rose on three of them; two "
        "stay below 0.6.",
        "weak_points": ["Variance: link to the shape of the distribution", "PMFs: normalising"],
        "schedule": [
            {"concept": "Variance", "due_in_days": 1},
            {"concept": "PMFs", "due_in_days": 2},
        ],
    }
)
ANSWER = (
    "It is a way to summarise a whole set of values with a single number, computed from the "
    "data, so that we can compare groups. It can mislead when there are outliers."
)


def _settings(data_dir: Path, fake_url: str, routing: dict[str, list[str]]) -> Any:
    from learningos.config import Settings

    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        data_dir=data_dir,
        openai_api_key="test-key",
        openai_base_url=fake_url,
        deepseek_api_key="test-key",
        deepseek_base_url=fake_url,
        embedding_provider="local",
        ai_routing=routing,
        ai_max_retries=0,
    )


async def _session(settings: Any, plan: Any, sections: dict[str, Any], fake: Any) -> dict:
    from sqlalchemy import select

    from learningos.ai.gateway import AIGateway, Caller, build_providers
    from learningos.ai.inputs import (
        CoachInput,
        ConceptRef,
        ExaminerInput,
        Passage,
        ReviewedConcept,
        ReviewerInput,
        TutorInput,
    )
    from learningos.kit.db import Database
    from learningos.kit.migrate import upgrade
    from learningos.models import AIUsage
    from learningos.retrieval.context import token_counter

    await asyncio.to_thread(upgrade, settings.resolved_database_url)
    db = Database(settings.resolved_database_url)
    gateway = AIGateway(settings, build_providers(settings))
    counter = token_counter()
    caller = Caller(None)
    reviewed = []
    for turn, concept in enumerate(plan.concepts):
        ref = ConceptRef(concept.title, concept.description, difficulty=concept.difficulty)
        passages = [
            Passage(counter.cut(sections[s].text, 3000 // max(len(concept.source_sections), 1)),
                    sections[s].title, s, sections[s].page_start, sections[s].page_end)
            for s in concept.source_sections
        ]  # fmt: skip
        async with db.transaction() as session:
            fake.enqueue(fake_reply(TUTOR), fake_reply(TUTOR))
            explained = await gateway.tutor(TutorInput(ref, passages, turn=turn), caller, session)
            await gateway.tutor(
                TutorInput(ref, passages, question="Why does this matter?"), caller, session
            )
            fake.enqueue(fake_reply(EXAMINER), fake_reply(COACH))
            evaluation = await gateway.examine(
                ExaminerInput(ref, passages, ANSWER, explained.output.question), caller, session
            )
            await gateway.coach(CoachInput(ref, passages, evaluation.output), caller, session)
        reviewed.append(ReviewedConcept(concept.title, [evaluation.output.confidence], [], 8))
    async with db.transaction() as session:
        fake.enqueue(fake_reply(REVIEWER))
        await gateway.review(ReviewerInput(reviewed), caller, session)
    async with db.transaction() as session:
        rows = list(await session.scalars(select(AIUsage)))
    await gateway.aclose()
    await db.dispose()
    by_role: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = by_role.setdefault(row.role, {"calls": 0, "in": 0, "out": 0, "usd": Decimal(0)})
        entry["calls"] += 1
        entry["in"] += row.tokens_in
        entry["out"] += row.tokens_out
        entry["usd"] += row.cost_usd
        entry["model"] = row.model
    assert all(r.ok and r.provider != "offline" for r in rows), "a call fell back"
    return by_role


def fake_reply(text: str) -> Any:
    from tests.fakes.openai_server import reply

    return reply(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concepts", type=int, default=5, help="concepts in the session")
    parser.add_argument("--json", action="store_true", help="print one JSON object last")
    args = parser.parse_args()

    from learningos.ai.inputs import PlannerInput, SectionInput
    from learningos.ai.offline.planner import plan
    from learningos.ai.routing import ROLES
    from learningos.content.pdf import extract_pdf
    from learningos.content.segment import segment
    from learningos.retrieval.embeddings import LocalEmbedder
    from tests.fakes.openai_server import FakeOpenAI

    found = segment(extract_pdf(BOOK, max_pages=100_000))
    inputs = [
        SectionInput(str(i), s.title, s.text, s.level, s.kind, s.page_start, s.page_end)
        for i, s in enumerate(found)
        if s.kind != "chunk"
    ]
    book_plan = plan(PlannerInput("ThinkStats2", inputs), LocalEmbedder())
    book_plan.concepts = book_plan.concepts[2 : 2 + args.concepts]  # past the preface
    sections = {s.id: s for s in inputs}
    results = {}
    with FakeOpenAI(api_key="test-key") as fake, tempfile.TemporaryDirectory() as folder:
        for name, routing in (
            ("reference", {}),
            ("all-gpt-4o", {role: ["openai:gpt-4o"] for role in ROLES}),
        ):
            settings = _settings(Path(folder) / name, fake.base_url, routing)
            results[name] = asyncio.run(_session(settings, book_plan, sections, fake))
    totals = {name: sum(r["usd"] for r in roles.values()) for name, roles in results.items()}
    ratio = float(totals["reference"] / totals["all-gpt-4o"])
    for name, roles in results.items():
        print(f"{name}: ${totals[name]:.4f} per session")
        for role, r in sorted(roles.items()):
            print(f"  {role:<9} {r['model']:<14} calls {r['calls']:>2}  tokens in {r['in']:>6}"
                  f"  out {r['out']:>5}  ${r['usd']:.4f}")  # fmt: skip
    print(f"reference / all-gpt-4o = {ratio:.1%} (target <= 30 %)")
    if args.json:
        print(json.dumps({
            "concepts": args.concepts,
            "reference_usd": str(totals["reference"]),
            "all_gpt4o_usd": str(totals["all-gpt-4o"]),
            "ratio": round(ratio, 4),
        }))  # fmt: skip


if __name__ == "__main__":
    main()
