"""The Examiner's verdict on an explanation: its kind (correct, partial, contradictory,
irrelevant, non-answer), the limits that kind puts on the confidence, and the feedback in
plain sentences that name the missing point or the contradicted statement with its page.

The feedback points at the material; it does not teach, praise or hand out the answer: a
missing point is named by the opening words of the material's sentence and its page, a
contradiction by the learner's words beside the material's statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from learningos.ai.offline import judge

Label = Literal["correct", "partial", "contradictory", "irrelevant", "non-answer"]

NON_ANSWER_FLAGS = ("empty", "gibberish", "dont_know", "help", "question_only", "no_reference")
QUESTION_ONLY_CAP = 0.1  # an answer made only of the question's words
IRRELEVANT_CAP = 0.15  # an answer about something else
CONTRADICTION_CAP = 0.4  # an answer that states what the material contradicts
CONTRADICTION_STEP = 0.1  # taken off the cap for each further contradicted statement
CONTRADICTION_FLOOR = 0.15
UNSURE_CAP = 0.7  # nothing in the material says what the answer says: not vouched for
CORRECT_FROM = 0.75  # confidence from which a covering answer counts as correct
POINTER_WORDS = 7  # opening words that name a missing point
QUOTE_WORDS = 40  # longest material statement quoted whole


def flag(feats: dict[str, float], name: str) -> bool:
    return bool(feats.get(name, 0.0))


def label_of(feats: dict[str, float], value: float, gaps: int) -> Label:
    """The kind of answer, from the signals and the final confidence."""
    if any(flag(feats, name) for name in NON_ANSWER_FLAGS):
        return "non-answer"
    if flag(feats, "off_topic"):
        return "irrelevant"
    if feats.get("flips", 0.0) >= 1:
        return "contradictory"
    return "correct" if value >= CORRECT_FROM and not gaps else "partial"


def capped(value: float, feats: dict[str, float]) -> float:
    """The confidence within the limits the kind of answer sets."""
    if flag(feats, "question_only"):
        value = min(value, QUESTION_ONLY_CAP)
    if flag(feats, "off_topic"):
        value = min(value, IRRELEVANT_CAP)
    flips = int(feats.get("flips", 0.0))
    if flips:
        cap = CONTRADICTION_CAP - CONTRADICTION_STEP * (flips - 1)
        value = min(value, max(CONTRADICTION_FLOOR, cap))
    if flag(feats, "unsure"):
        value = min(value, UNSURE_CAP)
    return value


@dataclass
class Missing:
    """A key point of the material the answer does not make, and where it is."""

    idea: str
    page: int | None
    words: Sequence[str] = ()  # the idea's words the answer lacks


def _page(page: int | None) -> str:
    return f" (p. {page})" if page else ""


def _quoted(text: str, limit: int = QUOTE_WORDS) -> str:
    words = " ".join(text.split()).split(" ")
    body = " ".join(words[:limit]).rstrip(" .,;:")
    return f"“{body}{'…' if len(words) > limit else ''}”"


def pointer(idea: str, lacking: Sequence[str] = ()) -> str:
    """Names a point without reading it out: the stretch of it that holds the words the
    answer lacks ("the point about “return type”"), else its opening words."""
    spoken = " ".join(idea.split()).split(" ")
    plain = [w.lower().strip(".,;:()“”\"'") for w in spoken]
    wanted = {w.lower() for w in lacking}
    hits = [i for i, w in enumerate(plain) if w in wanted]
    if hits:
        first, last = hits[0], hits[-1]
        last = min(last, first + POINTER_WORDS - 1)
        if last - first + 1 < len(spoken) or len(spoken) <= 2:
            span = " ".join(spoken[first : last + 1]).strip(" .,;:")
            return f"the point about “{span}”"
    keep = max(2, min(POINTER_WORDS, len(spoken) - 3))
    return f"the point that begins “{' '.join(spoken[:keep]).rstrip(' .,;:')}…”"


def contradiction_sentences(flips: Sequence[judge.Flip], limit: int = 2) -> list[str]:
    said = []
    for flip in flips[:limit]:
        said.append(
            f"You wrote {_quoted(flip.said, 25)}; the material says "
            f"{_quoted(flip.statement.text)}{_page(flip.statement.page)}."
        )
    return said


def missing_sentences(missing: Sequence[Missing], limit: int = 3) -> list[str]:
    if not missing:
        return []
    named = [f"{pointer(m.idea, m.words)}{_page(m.page)}" for m in missing[:limit]]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return [f"Your explanation leaves out {listed}."]


def feedback(
    label: Label,
    feats: dict[str, float],
    concept: str,
    signals: judge.Signals | None,
    missing: Sequence[Missing],
    covered: tuple[int, int],
    answer_words: int,
    elsewhere: str | None,
) -> str:
    """What the assessment found, in plain sentences."""
    if flag(feats, "no_reference"):
        return "There is no reference material to compare the explanation with."
    if flag(feats, "empty"):
        return "No explanation was given, so there is nothing to assess."
    if flag(feats, "dont_know"):
        return "The reply says you do not know, so there is nothing to assess."
    if flag(feats, "help"):
        return (
            f"The reply asks for help instead of explaining {concept}, so there is nothing "
            "to assess."
        )
    if flag(feats, "gibberish"):
        return "The reply is not readable text, so there is nothing to assess."
    if flag(feats, "question_only"):
        return "The reply only repeats the question, so there is nothing to assess."
    if label == "irrelevant":
        where = f" It is closer to another part of the material: {elsewhere}." if elsewhere else ""
        return (
            f"Your explanation is not about {concept}: it matches nothing the material says on "
            f"it.{where}"
        )
    parts: list[str] = []
    if label == "contradictory" and signals is not None:
        parts.append("Your explanation states something the material contradicts.")
        parts += contradiction_sentences(signals.flips)
    done, total = covered
    if label == "correct":
        parts.append(
            "It makes the key point of the material."
            if total == 1
            else f"It makes each of the {total} key points of the material."
            if done == total
            else f"It makes {done} of the {total} key points of the material."
        )
    elif total and label != "contradictory":
        parts.append(f"It makes {done} of the {total} key points of the material.")
    parts += missing_sentences(missing)
    if flag(feats, "unsure"):
        parts.append(
            "The offline engine found no sentence in the material that says what your "
            "explanation says, so it cannot vouch for this score; connect an AI provider in "
            "Settings for a full assessment."
        )
    if answer_words < 5:
        unit = "word" if answer_words == 1 else "words"
        parts.append(f"It is very short ({answer_words} content {unit}).")
    if feats.get("copied", 0.0) >= 0.5:
        parts.append("Much of it repeats the material word for word: explain it in your own words.")
    return " ".join(parts)
