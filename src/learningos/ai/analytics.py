"""Prompt-version analytics: how each version of each role's prompt does in practice.

Per version: calls, interactions, average examiner confidence, average confidence gain between a
learner's attempts, confusion rate (share of explanations with a low score, see
`progress.rules.is_low`, right after a tutor reply of that version), cost, latency and fallback
rate. Version 0 is the offline engine.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.models import AIUsage, Interaction
from learningos.models.ai import AIRole
from learningos.progress import rules


@dataclass
class VersionStats:
    prompt_id: str
    version: int
    calls: int = 0
    failed_attempts: int = 0
    interactions: int = 0
    cost_usd: Decimal = Decimal(0)
    avg_latency_ms: float | None = None
    avg_confidence: float | None = None
    avg_confidence_gain: float | None = None
    confusion_rate: float | None = None
    _confidences: list[float] = field(default_factory=list, repr=False)
    _gains: list[float] = field(default_factory=list, repr=False)
    _after: list[float] = field(default_factory=list, repr=False)

    @property
    def fallback_rate(self) -> float | None:
        attempts = self.calls + self.failed_attempts
        return round(self.failed_attempts / attempts, 4) if attempts else None

    def public(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if not k.startswith("_")}
        data["engine"] = "offline engine" if self.version == 0 else "LLM prompt"
        data["cost_usd"] = str(self.cost_usd)
        average = self.cost_usd / self.calls if self.calls else None
        data["avg_cost_usd"] = str(average.quantize(Decimal("0.000001"))) if average else None
        data["fallback_rate"] = self.fallback_rate
        return data


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


async def prompt_stats(session: AsyncSession, days: int = 90) -> list[VersionStats]:
    since = datetime.now(UTC) - timedelta(days=days)
    stats: dict[tuple[str, int], VersionStats] = {}

    def entry(prompt_id: str, version: int) -> VersionStats:
        return stats.setdefault((prompt_id, version), VersionStats(prompt_id, version))

    usage = (
        select(
            AIUsage.prompt_id,
            AIUsage.prompt_version,
            func.count().filter(AIUsage.ok.is_(True)),
            func.count().filter(AIUsage.ok.is_(False)),
            func.coalesce(func.sum(AIUsage.cost_usd), 0),
            func.avg(case((AIUsage.ok.is_(True), AIUsage.latency_ms))),
        )
        .where(AIUsage.created_at >= since, AIUsage.prompt_id.is_not(None))
        .group_by(AIUsage.prompt_id, AIUsage.prompt_version)
    )
    for prompt_id, version, ok, failed, spent, latency in await session.execute(usage):
        row = entry(prompt_id, version or 0)
        row.calls, row.failed_attempts, row.cost_usd = int(ok), int(failed), Decimal(spent)
        row.avg_latency_ms = round(float(latency), 1) if latency is not None else None

    query = (
        select(
            Interaction.session_id,
            Interaction.role,
            Interaction.prompt_id,
            Interaction.prompt_version,
            Interaction.evaluation,
        )
        .where(Interaction.created_at >= since, Interaction.prompt_id.is_not(None))
        .order_by(Interaction.session_id, Interaction.created_at)
    )
    _walk_sessions(list(await session.execute(query)), entry)
    for row in stats.values():
        row.avg_confidence = _mean(row._confidences)
        row.avg_confidence_gain = _mean(row._gains)
        after = row._after
        row.confusion_rate = (
            round(sum(rules.is_low(c) for c in after) / len(after), 4) if after else None
        )
    return sorted(stats.values(), key=lambda s: (s.prompt_id, s.version))


def _walk_sessions(rows: list[Any], entry: Any) -> None:
    """Attribute each evaluation to the examiner version that scored it and to the tutor
    version whose reply came just before it, and each change of confidence between two
    evaluations of a session to the tutor version in between."""
    by_session: dict[Any, list[Any]] = defaultdict(list)
    for row in rows:
        by_session[row.session_id].append(row)
    for steps in by_session.values():
        last_tutor: Any = None
        last_confidence: float | None = None
        for step in steps:
            version = step.prompt_version or 0
            entry(step.prompt_id, version).interactions += 1
            if step.role == AIRole.TUTOR:
                last_tutor = entry(step.prompt_id, version)
                continue
            if step.role != AIRole.EXAMINER or not isinstance(step.evaluation, dict):
                continue
            confidence = step.evaluation.get("confidence")
            if not isinstance(confidence, int | float):
                continue
            entry(step.prompt_id, version)._confidences.append(float(confidence))
            if last_tutor is not None:
                last_tutor._after.append(float(confidence))
                if last_confidence is not None:
                    last_tutor._gains.append(float(confidence) - last_confidence)
            last_confidence = float(confidence)
