"""Turning a model's reply into a role's typed output, or a reason it could not be."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from learningos.ai.boundaries import clamp_confidence

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)


class InvalidOutput(ValueError):
    """The reply does not fit the role's contract; the message says why (for the repair turn)."""


def extract_json(text: str) -> Any:
    """The JSON object in a reply, tolerating code fences and prose around it."""
    cleaned = _FENCE.sub("", text.strip())
    start, end = cleaned.find("{"), cleaned.rfind("}")
    if start < 0 or end <= start:
        raise InvalidOutput("the reply contains no JSON object")
    try:
        return json.loads(cleaned[start : end + 1])
    except json.JSONDecodeError as exc:
        problem = f"the JSON object is malformed ({exc.msg} at position {exc.pos})"
        raise InvalidOutput(problem) from exc


def parse_output(text: str, model: type[M]) -> M:
    data = extract_json(text)
    if not isinstance(data, dict):
        raise InvalidOutput("the reply must be a JSON object")
    if "confidence" in data and "confidence" in model.model_fields:
        data["confidence"] = clamp_confidence(data["confidence"])
    if "quality" in data and "quality" in model.model_fields:
        data["quality"] = clamp_confidence(data["quality"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'object'}: {err['msg']}"
            for err in exc.errors()[:6]
        )
        raise InvalidOutput(f"the JSON does not match the required fields ({problems})") from exc


def repair_messages(
    messages: list[dict[str, str]], reply: str, problem: str
) -> list[dict[str, str]]:
    """The conversation for the one repair attempt: the bad reply and what is wrong with it."""
    return [
        *messages,
        {"role": "assistant", "content": reply[:4000]},
        {
            "role": "user",
            "content": f"That reply cannot be used: {problem}. Reply again with only the "
            "JSON object in the required shape, nothing else.",
        },
    ]
