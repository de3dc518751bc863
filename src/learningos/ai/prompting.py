"""Prompt templates per role and version (`prompts/<role>/v<N>.txt`), rendered in a Jinja2 sandbox.

A template holds the system message, a line `=== user ===`, then the user message. Loading asks
for a role and optionally a version and falls back to the latest one. A/B tests: configured
weights per version, and each learner keeps their version (a hash of learner and role picks it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

USER_MARKER = "=== user ==="
_VERSION_FILE = re.compile(r"^v(\d+)\.txt$")


@dataclass(frozen=True)
class Prompt:
    role: str
    version: int
    source: str

    @property
    def id(self) -> str:
        """The prompt's id; with `version` it names one file (`prompts/<id>/v<version>.txt`)."""
        return self.role

    @property
    def label(self) -> str:
        return f"{self.role}/v{self.version}"


@dataclass(frozen=True)
class RenderedPrompt:
    prompt: Prompt
    system: str
    user: str

    def messages(self) -> list[dict[str, str]]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False
    )
    return env


@lru_cache(maxsize=32)
def versions(role: str) -> tuple[int, ...]:
    """The versions shipped for a role, ascending."""
    folder = resources.files("learningos.ai").joinpath("prompts", role)
    if not folder.is_dir():
        raise KeyError(f"no prompts for role {role!r}")
    found = [int(m.group(1)) for f in folder.iterdir() if (m := _VERSION_FILE.match(f.name))]
    if not found:
        raise KeyError(f"no prompts for role {role!r}")
    return tuple(sorted(found))


@lru_cache(maxsize=64)
def load(role: str, version: int | None = None) -> Prompt:
    """The prompt of `role` at `version`, or the latest version when that one does not exist."""
    available = versions(role)
    chosen = version if version in available else available[-1]
    path = resources.files("learningos.ai").joinpath("prompts", role, f"v{chosen}.txt")
    source = path.read_text(encoding="utf-8")
    if USER_MARKER not in source:
        raise ValueError(f"prompt {role}/v{chosen} has no '{USER_MARKER}' line")
    return Prompt(role, chosen, source)


def choose(role: str, learner: str | None, weights: dict[int, float] | None) -> Prompt:
    """The version this learner gets: the latest, or by A/B weights, stable per learner."""
    available = versions(role)
    usable = {v: w for v, w in (weights or {}).items() if v in available and w > 0}
    if not usable:
        return load(role)
    digest = hashlib.sha256(f"{role}:{learner or 'anonymous'}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64 * sum(usable.values())
    for version, weight in sorted(usable.items()):
        point -= weight
        if point < 0:
            return load(role, version)
    return load(role, max(usable))


def offline_prompt(role: str) -> Prompt:
    """How the offline engine appears where a prompt version is recorded: `<role>/v0`, so
    analytics can set it beside the LLM prompt versions."""
    return Prompt(role, 0, "")


def render(prompt: Prompt, variables: dict[str, Any]) -> RenderedPrompt:
    """Fill the template. Learner-provided text is data, not template code: the sandbox renders
    values as they are, and nothing in them is evaluated."""
    template = _compiled(prompt.role, prompt.version, prompt.source)
    text = template.render(**variables)
    system, _, user = text.partition(USER_MARKER)
    return RenderedPrompt(prompt, system.strip(), user.strip())


@lru_cache(maxsize=64)
def _compiled(role: str, version: int, source: str) -> Any:
    return _environment().from_string(source)
