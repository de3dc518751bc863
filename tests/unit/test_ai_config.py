"""Routing tables, prompt loading and A/B choice, and prices."""

from __future__ import annotations

from decimal import Decimal

import pytest

from learningos.ai import prompting
from learningos.ai.pricing import REFERENCE_PRICES, cost, price_of
from learningos.ai.routing import routing_table
from learningos.config import Settings, SettingsError


def labels(settings: Settings) -> dict[str, list[str]]:
    return {role: [link.label for link in chain] for role, chain in routing_table(settings).items()}


def test_no_keys_means_the_offline_engine_for_every_role() -> None:
    table = labels(Settings(_env_file=None))  # type: ignore[call-arg]
    assert set(table) == {"planner", "tutor", "examiner", "coach", "reviewer", "notes"}
    assert all(chain == ["offline"] for chain in table.values())


def test_one_key_stands_in_for_the_other_provider() -> None:
    table = labels(Settings(_env_file=None, openai_api_key="k"))  # type: ignore[call-arg]
    assert table["examiner"] == ["openai:gpt-4o", "offline"]
    assert table["tutor"] == ["openai:gpt-4o-mini", "offline"]


def test_custom_routes_and_endpoints() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        ai_providers={"ollama": {"base_url": "http://127.0.0.1:11434/v1"}},
        ai_routing={"tutor": ["ollama:llama3.1"]},
    )
    assert labels(settings)["tutor"] == ["ollama:llama3.1", "offline"]
    with pytest.raises(SettingsError, match="no key"):
        routing_table(Settings(_env_file=None, ai_routing={"tutor": ["vllm:x"]}))  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match="unknown roles"):
        routing_table(Settings(_env_file=None, ai_routing={"poet": ["offline"]}))  # type: ignore[call-arg]
    with pytest.raises(SettingsError, match="provider:model"):
        routing_table(
            Settings(_env_file=None, openai_api_key="k", ai_routing={"tutor": ["openai"]})  # type: ignore[call-arg]
        )


def test_prompts_load_by_version_with_fallback_to_latest() -> None:
    for role in ("planner", "tutor", "examiner", "coach", "reviewer", "notes"):
        assert prompting.versions(role)
    assert prompting.load("tutor", 1).version == 1
    assert prompting.load("tutor", 99).version == max(prompting.versions("tutor"))
    assert prompting.load("examiner").version == max(prompting.versions("examiner"))
    with pytest.raises(KeyError):
        prompting.load("poet")


def test_ab_choice_is_sticky_and_uses_the_weights() -> None:
    weights = {1: 0.5, 2: 0.5}
    picks = [prompting.choose("tutor", f"learner-{n}", weights).version for n in range(200)]
    assert 70 < picks.count(1) < 130
    assert all(
        prompting.choose("tutor", f"learner-{n}", weights).version == picks[n] for n in range(50)
    )
    assert prompting.choose("tutor", "x", {1: 1.0, 2: 0.0}).version == 1
    assert prompting.choose("tutor", "x", {7: 1.0}).version == max(prompting.versions("tutor"))


def test_rendering_treats_learner_text_as_data() -> None:
    prompt = prompting.load("examiner", 1)
    rendered = prompting.render(
        prompt,
        {
            "concept": {"title": "Mean", "description": "The average."},
            "sources": [{"n": 1, "text": "The mean is the sum over n."}],
            "question": "",
            "answer": "{{ 7 * 7 }} {% for x in range(3) %}loop{% endfor %}",
        },
    )
    assert "{{ 7 * 7 }}" in rendered.user and "49" not in rendered.user
    assert rendered.system.startswith("You are the Examiner")
    assert [m["role"] for m in rendered.messages()] == ["system", "user"]


def test_cost_from_the_price_table() -> None:
    assert cost(REFERENCE_PRICES, "gpt-4o", 1_000_000, 1_000_000) == Decimal("20.000000")
    assert cost(REFERENCE_PRICES, "deepseek-chat", 2000, 500) == Decimal("0.001090")
    assert price_of(REFERENCE_PRICES, "gpt-4o-2024-08-06") == (5.0, 15.0)
    assert price_of(REFERENCE_PRICES, "gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert cost(REFERENCE_PRICES, "mystery-model", 100, 100) == 0
