"""Role boundaries, enforced after generation whatever produced the text (an LLM or the offline
engine): the tutor ends with exactly one question and never grades; the examiner's confidence is
in [0, 1] and its feedback neither teaches nor encourages; the coach's decision follows the
configured thresholds."""

from __future__ import annotations

import math
import re

from learningos.ai.inputs import Thresholds
from learningos.ai.schemas import CoachOutput, ExaminerOutput

# Judging the learner (the tutor must not grade).
GRADING = re.compile(
    r"\b(?:(?:that|this|it|you|your (?:answer|explanation|reply))(?:'s|'re| is| are| was| were)"
    r"\s+(?:absolutely |exactly |completely |partly |partially |not |almost )?"
    r"(?:correct|incorrect|right|wrong|spot[- ]on|mistaken)"
    r"|well done|great job|good job|nice work|nice job|great work|excellent (?:work|answer|job)"
    r"|great answer|good answer|perfect answer|bravo|you got it|you nailed it"
    r"|(?:i would |i'd |i )?(?:grade|score|rate) (?:this|your|it)\b"
    r"|your (?:score|grade|mark) (?:is|was))",
    re.IGNORECASE,
)
# Teaching or encouraging (the examiner's feedback must do neither).
TEACHING = re.compile(
    r"\b(?:the (?:correct|right|expected|full) (?:answer|explanation|definition)"
    r" (?:is|was|would be)"
    r"|the answer is|remember that|recall that|keep in mind that|note that|in fact,|actually,"
    r"|should have (?:said|mentioned|explained|noted) that|is defined as|is actually"
    r"|for example,|this means that|to explain,|let me explain|here is how)",
    re.IGNORECASE,
)
ENCOURAGING = re.compile(
    r"\b(?:great|well done|good job|nice|excellent|awesome|keep (?:it )?up|keep going"
    r"|don't worry|do not worry|you(?:'re| are) doing|you can do it|good effort|good start"
    r"|impressive|fantastic|wonderful|proud)\b",
    re.IGNORECASE,
)

_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|$)")


def _sentences(line: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(line) if s.strip()]


def enforce_tutor(text: str, fallback_question: str) -> tuple[str, str]:
    """The reply with grading sentences removed and exactly one question, as its last sentence.
    Returns (text, question). `fallback_question` must itself be one question."""
    lines: list[list[str]] = []
    questions: list[str] = []
    inside = False  # within a fenced code listing: kept exactly, indentation and all
    for line in text.replace("\r", "").split("\n"):
        if line.strip().startswith("```") or inside:
            inside = inside != line.strip().startswith("```")
            lines.append([line.rstrip()])
            continue
        kept = []
        for sentence in _sentences(line):
            if GRADING.search(sentence):
                continue
            if sentence.endswith("?"):
                questions.append(sentence)
                continue
            kept.append(sentence.replace("?", ""))
        lines.append(kept)
    body = "\n".join(" ".join(s) for s in lines)
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    question = _clean_question(questions[-1]) if questions else ""
    if not question or GRADING.search(question):
        question = _clean_question(fallback_question)
    text = f"{body}\n\n{question}" if body else question
    return text, question


def _clean_question(question: str) -> str:
    question = re.sub(r"\s+", " ", question).strip()
    core = question.rstrip("?").replace("?", "").strip(" .!")
    return f"{core}?" if core else ""


def clamp_confidence(value: object) -> float:
    """A confidence in [0, 1] from what a model returned (a 0-5 or 0-100 scale is rescaled)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    if math.isnan(number):
        return 0.0
    if 1.0 < number <= 5.0:
        number /= 5.0
    elif 5.0 < number <= 100.0:
        number /= 100.0
    return min(1.0, max(0.0, number))


def enforce_examiner(output: ExaminerOutput) -> ExaminerOutput:
    """Feedback without teaching or encouragement (rebuilt from the gaps if nothing is left)."""
    kept = [
        s
        for s in _sentences(output.feedback.replace("\n", " "))
        if not TEACHING.search(s) and not ENCOURAGING.search(s)
    ]
    feedback = " ".join(kept).strip()
    gaps = [g.strip() for g in output.gaps if g.strip()][:8]
    if not feedback:
        feedback = (
            "The explanation does not cover: " + "; ".join(gaps) + "."
            if gaps
            else "The explanation covers the reference's main ideas."
        )
    return ExaminerOutput(
        confidence=clamp_confidence(output.confidence), feedback=feedback, gaps=gaps
    )


def enforce_coach(output: CoachOutput, confidence: float, thresholds: Thresholds) -> CoachOutput:
    """The decision the thresholds give for this confidence, whatever was proposed."""
    decision = thresholds.decide(confidence)
    if decision == output.decision:
        task = output.task if decision == "practice" else None
        return CoachOutput(decision=decision, reason=output.reason, task=task)
    reason = f"Confidence {confidence:.0%} calls for {decision}."
    return CoachOutput(decision=decision, reason=reason, task=None)
