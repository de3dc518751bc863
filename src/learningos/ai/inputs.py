"""What each role is given: the learner's material and state, already gathered by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from learningos.ai.schemas import ExaminerOutput


@dataclass
class Passage:
    """A piece of the learner's material (a section or a retrieved chunk) with its source."""

    text: str
    title: str = ""
    section_id: str | None = None
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class SectionInput:
    """A section of the content for the planner, in document order."""

    id: str
    title: str
    text: str
    level: int = 1
    kind: str = "section"  # section | chunk | glossary | exercises | front_matter
    page_start: int | None = None
    page_end: int | None = None


@dataclass
class ConceptRef:
    title: str
    description: str = ""
    id: str | None = None
    difficulty: int = 2


@dataclass
class PlannerInput:
    content_title: str
    sections: list[SectionInput]
    # "fewer" broader concepts, "more" finer ones, or the planner's own choice.
    granularity: str = "default"


@dataclass
class TutorInput:
    concept: ConceptRef
    passages: list[Passage]
    question: str | None = None  # a free question from the learner; None = explain the concept
    mode: Literal["explain", "review", "practice"] = "explain"
    pace: str = "normal"  # slow | normal | fast (slow = more examples, shorter steps)
    turn: int = 0  # how many tutor replies came before in this session (varies the question)
    notes: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)


@dataclass
class ExaminerInput:
    concept: ConceptRef
    passages: list[Passage]
    answer: str  # the learner's own-words explanation
    question: str = ""  # the question the learner answered
    # Other parts of the same material (other concepts, other chapters), for contrast: an
    # answer closer to them than to `passages` is about something else.
    others: list[Passage] = field(default_factory=list)


@dataclass
class CoachInput:
    concept: ConceptRef
    passages: list[Passage]
    evaluation: ExaminerOutput
    attempts: int = 1  # explanations of this concept so far, this one included
    history: list[float] = field(default_factory=list)  # earlier confidences on this concept


@dataclass
class Thresholds:
    """Coach decision rule: confidence >= proceed → proceed; >= practice → practice; else review."""

    proceed: float = 0.75
    practice: float = 0.5

    def decide(self, confidence: float) -> Literal["proceed", "practice", "review"]:
        if confidence >= self.proceed:
            return "proceed"
        if confidence >= self.practice:
            return "practice"
        return "review"


@dataclass
class ReviewedConcept:
    title: str
    confidences: list[float]
    gaps: list[str] = field(default_factory=list)
    minutes: float = 0.0
    stability_days: float | None = None  # from the review scheduler when known


@dataclass
class ReviewerInput:
    items: list[ReviewedConcept]
    period: Literal["session", "week"] = "session"
    learner_name: str = ""


@dataclass
class NoteInput:
    concept: ConceptRef
    passages: list[Passage]
    note: str
