"""The offline Reviewer: a summary of a session or a week, weak points and a review schedule,
all computed from the recorded confidences, gaps and time. It reflects; it never teaches."""

from __future__ import annotations

from learningos.ai.inputs import ReviewedConcept, ReviewerInput
from learningos.ai.offline import _select as sel
from learningos.ai.schemas import ReviewerOutput, ReviewItem
from learningos.progress import rules

SOLID = 0.75  # at or above this, a concept is reviewed a week or so later
_CHANGE = 0.05  # smaller changes between first and last attempt are not reported


def review(inp: ReviewerInput) -> ReviewerOutput:
    """Summary, weak points and schedule for the concepts of a session or a week."""
    span = "this session" if inp.period == "session" else "this week"
    if not inp.items:
        nothing = f"{_opening(inp)}nothing to review yet: no concept was studied {span}."
        return ReviewerOutput(summary=_capitalised(nothing))
    weak = [item for item in inp.items if rules.weak_point(item.confidences)]
    schedule = sorted(
        (ReviewItem(concept=item.title, due_in_days=due_in_days(item)) for item in inp.items),
        key=lambda entry: (entry.due_in_days, entry.concept),
    )
    return ReviewerOutput(
        summary=_summary(inp, span, weak, schedule),
        weak_points=[_weak_point(item) for item in weak],
        schedule=schedule,
    )


def due_in_days(item: ReviewedConcept) -> int:
    """Days until the next review: the scheduler's stability when known, otherwise from the
    last confidence (low, see `progress.rules.is_low`: today or tomorrow; below SOLID: in 2–3
    days; else 5–7 days). Repeated low confidences bring a review one day closer."""
    if item.stability_days is not None:
        return max(0, round(item.stability_days))
    if not item.confidences:
        return 1  # studied but never explained back: check it soon
    last = item.confidences[-1]
    low = rules.LOW_BELOW
    if rules.is_low(last):
        days = 0 if last < low / 2 else 1
    elif last < SOLID:
        days = 2 if last < (low + SOLID) / 2 else 3
    else:
        days = min(7, 5 + int((last - SOLID) * 8 + 0.5))
    if rules.repeatedly_low(item.confidences):
        days -= 1
    return max(0, days)


def _weak_point(item: ReviewedConcept) -> str:
    lows = rules.lows(item.confidences)
    last = item.confidences[-1]
    if rules.repeatedly_low(lows):
        listed = ", ".join(f"{c:.0%}" for c in lows[-3:])
        text = f"{item.title}: low confidence on {len(lows)} attempts ({listed}), last {last:.0%}"
    else:
        text = f"{item.title}: last confidence {last:.0%}"
    gaps = [g for g in (sel.plain(gap) for gap in item.gaps) if g][:3]
    if gaps:
        text += f"; gaps: {'; '.join(gaps)}"
    return text


def _opening(inp: ReviewerInput) -> str:
    name = sel.plain(inp.learner_name)
    return f"{name}, " if name else ""


def _summary(
    inp: ReviewerInput, span: str, weak: list[ReviewedConcept], schedule: list[ReviewItem]
) -> str:
    checked = [item for item in inp.items if item.confidences]
    minutes = round(sum(item.minutes for item in inp.items))
    count = len(inp.items)
    time = f" for {_duration(minutes)}" if minutes else ""
    opening = f"{_opening(inp)}{span} you worked on {count} concept{'s' if count != 1 else ''}"
    lines = [_capitalised(f"{opening}{time}.")]
    if checked:
        lasts = [item.confidences[-1] for item in checked]
        latest = checked[-1]
        lines.append(
            f"Average confidence on the last attempts: {sum(lasts) / len(lasts):.0%} "
            f"(most recent: {latest.title}, {latest.confidences[-1]:.0%})."
        )
    lines += _changes(checked)
    unchecked = [item.title for item in inp.items if not item.confidences]
    if unchecked:
        lines.append(f"Not yet explained back: {', '.join(unchecked)}.")
    if weak:
        lines.append(f"Weak points: {', '.join(item.title for item in weak)}.")
    elif checked:
        lines.append("No weak points.")
    due_soon = [entry.concept for entry in schedule if entry.due_in_days <= 1]
    if due_soon:
        lines.append(f"Due for review today or tomorrow: {', '.join(due_soon)}.")
    return " ".join(lines)


def _changes(checked: list[ReviewedConcept]) -> list[str]:
    """Improvement (or decline) between the first and the last attempt of each concept."""
    up: list[str] = []
    down: list[str] = []
    for item in checked:
        if len(item.confidences) < 2:
            continue
        first, last = item.confidences[0], item.confidences[-1]
        change = f"{item.title} {first:.0%} → {last:.0%}"
        if last - first >= _CHANGE:
            up.append(change)
        elif first - last >= _CHANGE:
            down.append(change)
    said = []
    if up:
        said.append(f"Improved from first to last attempt: {'; '.join(up)}.")
    if down:
        said.append(f"Lower on the last attempt than the first: {'; '.join(down)}.")
    return said


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _duration(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
