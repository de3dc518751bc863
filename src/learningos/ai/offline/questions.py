"""The offline tutor's follow-up question, asked about this concept's own statements.

Each kind works on something the explanation quoted: why a statement holds (own_words), what
a listing prints or returns (scenario: predict the output), which of two statements or two
sides of a contrast (comparison), and what happens when a line of code or the condition of a
statement is taken away (what_if). The statement or listing is shown just before the question,
cited; the question itself holds no sentence punctuation, so it stays one question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from learningos.ai.offline.explain import FENCE, Example, Explanation, Quote
from learningos.ai.schemas import QuestionKind

_CONTRAST = re.compile(
    r"\b(?:but|whereas|unlike|rather than|instead of|in contrast|difference between"
    r"|compared (?:to|with)|on the other hand)\b",
    re.I,
)
_CONDITION = re.compile(r"^(?:if|when|unless|as long as)\b", re.I)
_PROMPT = re.compile(r"^\s*(?:>>>|\.\.\.)\s?")
_REMOVABLE = re.compile(r"^\s*(?:[A-Za-z_]\w*\s*=\s*[^=]|return\b)")


@dataclass
class FollowUp:
    shown: list[Quote]  # statements shown before the question, each cited
    code: str | None  # a listing shown before the question
    code_passage: int
    question: str
    replaces: str | None = None  # the example listing `code` stands for (its output hidden)


def follow_up(kind: QuestionKind, name: str, ex: Explanation) -> FollowUp:
    if kind == "scenario":
        return _predict(name, ex)
    if kind == "comparison":
        return _which(name, ex)
    if kind == "what_if":
        return _what_if(name, ex)
    return _why(name, ex)


def _why(name: str, ex: Explanation) -> FollowUp:
    statement = ex.why or ex.definition or (ex.points[0] if ex.points else None)
    if statement is None:
        return FollowUp([], None, 0, f"In your own words, what is {name} and why does it matter?")
    return FollowUp(
        [statement],
        None,
        0,
        "In your own words, why does that hold, and what in the material shows it?",
    )


def _predict(name: str, ex: Explanation) -> FollowUp:
    listing = next((e for e in ex.examples if e.code and _PROMPT.match(e.code)), None)
    if listing is not None and listing.code:
        shown, hidden = _without_last_output(listing.code)
        if hidden:
            return FollowUp(
                [],
                shown,
                listing.passage,
                "What does the last line show when you run it?",
                replaces=listing.code,
            )
    function = next((e for e in ex.examples if e.code), None)
    if function is not None and function.code:
        return FollowUp(
            [],
            function.code,
            function.passage,
            replaces=function.code,
            question="Pick a small input of your own and predict, line by line, what this "
            "code gives for it: what comes out?",
        )
    example = next((e for e in ex.examples if e.intro), None)
    if example is not None and example.intro:
        return FollowUp(
            [example.intro],
            None,
            0,
            "If the numbers in this example were different, which result would change and "
            "which would stay the same?",
        )
    return _why(name, ex)


def _which(name: str, ex: Explanation) -> FollowUp:
    contrast = next((q for q in ex.statements if _CONTRAST.search(q.text)), None)
    if contrast is not None:
        return FollowUp(
            [contrast],
            None,
            0,
            "Which of the two sides of this statement applies when, and why would you pick "
            "one over the other?",
        )
    if ex.definition and ex.why:
        return FollowUp(
            [ex.definition, ex.why],
            None,
            0,
            f"Which of these two statements says what {name} is and which says what it is "
            "for, and how does the first lead to the second?",
        )
    two = ex.statements[:2]
    if len(two) == 2:
        return FollowUp(
            two,
            None,
            0,
            "Which of these two statements would you explain first, and how does it lead to "
            "the other?",
        )
    return _why(name, ex)


def _what_if(name: str, ex: Explanation) -> FollowUp:
    for example in ex.examples:
        line = _removable_line(example)
        if line is not None and example.code:
            return FollowUp(
                [],
                example.code,
                example.passage,
                f"What happens if you delete the line “{line}” from this code?",
                replaces=example.code,
            )
    condition = next((q for q in ex.statements if _CONDITION.match(q.text)), None)
    if condition is not None:
        return FollowUp(
            [condition], None, 0, "What happens when the condition in this statement does not hold?"
        )
    statement = ex.definition or (ex.points[0] if ex.points else None)
    if statement is None:
        return FollowUp([], None, 0, f"What would change if one part of {name} were left out?")
    return FollowUp(
        [statement], None, 0, f"What would change about {name} if this statement were not true?"
    )


def _without_last_output(code: str) -> tuple[str, bool]:
    """A `>>>` session with the output of its last prompt taken away (to be predicted)."""
    lines = code.split("\n")
    last_prompt = max((i for i, line in enumerate(lines) if _PROMPT.match(line)), default=-1)
    if last_prompt < 0 or last_prompt == len(lines) - 1:
        return code, False
    return "\n".join(lines[: last_prompt + 1]), True


def _removable_line(example: Example) -> str | None:
    """A line whose removal changes what the code does (an assignment or a return), written
    without sentence punctuation so the question stays one sentence."""
    if not example.code or _PROMPT.match(example.code):
        return None
    for line in example.code.split("\n")[1:]:
        stripped = line.strip()
        if _REMOVABLE.match(stripped) and not re.search(r"[.!?“”]", stripped):
            return stripped
    return None


def fenced(code: str) -> list[str]:
    return [FENCE, *code.split("\n"), FENCE]
