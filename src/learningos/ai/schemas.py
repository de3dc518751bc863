"""The output contract of each AI role (ai.md), whatever produced it: an LLM or the offline
engine."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Decision = Literal["proceed", "practice", "review"]
QuestionKind = Literal["own_words", "scenario", "comparison", "what_if"]


class PlannedConcept(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    description: str = ""
    difficulty: int = Field(ge=1, le=5)
    estimated_minutes: int = Field(ge=1, le=600)
    prerequisites: list[str] = []  # titles of earlier concepts of the same map
    source_sections: list[str] = []  # section ids (str) the concept is taught from
    page_start: int | None = None
    page_end: int | None = None
    milestone: int = Field(default=0, ge=0)  # index into PlannerOutput.milestones


class Milestone(BaseModel):
    title: str
    description: str = ""


class PlannerOutput(BaseModel):
    overview: str
    milestones: list[Milestone]
    concepts: list[PlannedConcept] = Field(min_length=1)  # prerequisite-first order


class Citation(BaseModel):
    section_id: str | None = None
    title: str
    page_start: int | None = None
    page_end: int | None = None


class TutorOutput(BaseModel):
    text: str = Field(min_length=1)  # the whole reply shown to the learner, ending in `question`
    question: str = ""  # the one follow-up question (the reply's last sentence)
    question_kind: QuestionKind | None = None
    citations: list[Citation] = []


class ExaminerOutput(BaseModel):
    confidence: float = Field(ge=0.0, le=1.0)
    feedback: str
    gaps: list[str] = []


class CoachOutput(BaseModel):
    decision: Decision
    reason: str
    task: str | None = None  # an application task when the decision is "practice"


class ReviewItem(BaseModel):
    concept: str
    due_in_days: int = Field(ge=0)


class ReviewerOutput(BaseModel):
    summary: str
    weak_points: list[str] = []
    schedule: list[ReviewItem] = []


class NoteFeedback(BaseModel):
    quality: float = Field(ge=0.0, le=1.0)
    summary: str
    suggestions: list[str] = []  # what to add or fix
