"""Which provider and model answer each role: configuration, defaulting to the reference design
for the providers that have a key, with the offline engine always last."""

from __future__ import annotations

from dataclasses import dataclass

from learningos.config import Settings, SettingsError
from learningos.models.ai import AIRole

ROLES = tuple(AIRole)
OFFLINE = "offline"

# The reference design (ai.md): structured and evaluation roles on a strong model, the
# conversational high-volume roles on a cheap one. Note feedback is high volume too.
REFERENCE: dict[str, str] = {
    AIRole.PLANNER: "openai:gpt-4o",
    AIRole.EXAMINER: "openai:gpt-4o",
    AIRole.REVIEWER: "openai:gpt-4o",
    AIRole.TUTOR: "deepseek:deepseek-chat",
    AIRole.COACH: "deepseek:deepseek-chat",
    AIRole.NOTES: "deepseek:deepseek-chat",
}
# When the reference provider of a role has no key, the other one stands in.
ALTERNATE = {"openai": "deepseek:deepseek-chat", "deepseek": "openai:gpt-4o-mini"}


@dataclass(frozen=True)
class Link:
    provider: str
    model: str

    @property
    def label(self) -> str:
        return OFFLINE if self.provider == OFFLINE else f"{self.provider}:{self.model}"


OFFLINE_LINK = Link(OFFLINE, "offline-engine")


def parse_link(text: str) -> Link:
    provider, sep, model = text.partition(":")
    if provider == OFFLINE:
        return OFFLINE_LINK
    if not sep or not provider or not model:
        raise SettingsError(f"AI route {text!r} must look like 'provider:model'.")
    return Link(provider, model)


def configured_providers(settings: Settings) -> set[str]:
    names = {name for name, cfg in settings.ai_providers.items() if cfg.base_url}
    if settings.openai_api_key:
        names.add("openai")
    if settings.deepseek_api_key:
        names.add("deepseek")
    return names


def routing_table(settings: Settings) -> dict[str, list[Link]]:
    """role -> chain of links, ending with the offline engine."""
    available = configured_providers(settings)
    unknown = set(settings.ai_routing) - set(ROLES)
    if unknown:
        raise SettingsError(f"LEARNINGOS_AI_ROUTING names unknown roles: {sorted(unknown)}.")
    table: dict[str, list[Link]] = {}
    for role in ROLES:
        if role in settings.ai_routing:
            chain = [parse_link(t) for t in settings.ai_routing[role]]
            missing = {link.provider for link in chain} - available - {OFFLINE}
            if missing:
                raise SettingsError(
                    f"LEARNINGOS_AI_ROUTING[{role}] uses {sorted(missing)}, which have no key or "
                    "base URL configured."
                )
        else:
            chain = _reference_chain(role, available)
        chain = [link for link in chain if link != OFFLINE_LINK] + [OFFLINE_LINK]
        table[role] = chain
    return table


def _reference_chain(role: str, available: set[str]) -> list[Link]:
    primary = parse_link(REFERENCE[role])
    alternate = parse_link(ALTERNATE[primary.provider])
    return [link for link in (primary, alternate) if link.provider in available]
