"""The AI replies one learner action needs, fetched while no database connection is held.

A learner action runs in passes (see `service.interact`). A pass that reaches an AI step whose
reply it does not have yet stops with `Needed`; its transaction is rolled back and the reply is
fetched (the gateway checks the budget and saves the usage rows in short transactions of its
own); then the next pass runs the action again and takes the replies in the order it asks for
them. The pass that needs no further reply is the one that is kept. Every pass must find the
learning session at the version the first one read: otherwise another request acted on it in
between, and the action is a conflict (nothing of it is kept, the usage rows are).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from learningos.ai.gateway import AIGateway, AIResult, Caller
from learningos.ai.inputs import CoachInput, ExaminerInput, ReviewerInput, TutorInput
from learningos.ai.schemas import CoachOutput, ExaminerOutput, ReviewerOutput, TutorOutput
from learningos.kit.db import Database
from learningos.kit.errors import AIBudgetExceeded, Conflict
from learningos.models.ai import AIRole
from learningos.models.learning import LearningSession


class Needed(Exception):
    """A pass reached an AI step whose reply is not fetched yet."""

    def __init__(self, role: str, inp: Any, caller: Caller) -> None:
        super().__init__(role)
        self.role, self.inp, self.caller = role, inp, caller


def changed(session_id: uuid.UUID) -> Conflict:
    return Conflict(
        "This session was changed by another request (another tab?). Reload it.",
        details={"session_id": str(session_id)},
    )


@dataclass
class Replies:
    """The AI roles as a pass sees them (the gateway's methods, same signatures)."""

    ai: AIGateway
    db: Database
    stream: asyncio.Queue[str] | None = None  # the tutor's text goes here as it is generated
    got: list[tuple[str, AIResult[Any] | AIBudgetExceeded]] = field(default_factory=list)
    version: int | None = None  # the learning session's version the first pass read
    final: bool = False
    _taken: int = 0

    def begin(self, *, final: bool) -> None:
        """A new pass; the final one keeps what it does, so the usage rows are linked in it."""
        self.final, self._taken = final, 0

    def same_session(self, ls: LearningSession) -> None:
        if self.version is None:
            self.version = ls.version
        elif ls.version != self.version:
            raise changed(ls.id)

    async def tutor(
        self, inp: TutorInput, caller: Caller, session: AsyncSession
    ) -> AIResult[TutorOutput]:
        return await self._take("tutor", inp, caller, session)

    async def examine(
        self, inp: ExaminerInput, caller: Caller, session: AsyncSession
    ) -> AIResult[ExaminerOutput]:
        return await self._take("examiner", inp, caller, session)

    async def coach(
        self, inp: CoachInput, caller: Caller, session: AsyncSession
    ) -> AIResult[CoachOutput]:
        return await self._take("coach", inp, caller, session)

    async def review(
        self, inp: ReviewerInput, caller: Caller, session: AsyncSession
    ) -> AIResult[ReviewerOutput]:
        return await self._take("reviewer", inp, caller, session)

    async def _take(self, role: str, inp: Any, caller: Caller, session: AsyncSession) -> Any:
        if self._taken == len(self.got):
            raise Needed(role, inp, caller)
        asked, reply = self.got[self._taken]
        if asked != role:  # the action took another path than in the pass that asked
            raise Conflict("This session changed while the AI was answering. Reload it.")
        self._taken += 1
        if isinstance(reply, AIBudgetExceeded):
            raise reply  # where the pass asked, as if the gateway had refused there
        if self.final:
            session.add_all(reply.records)  # saved already; linked to the interaction here
        return reply

    async def fetch(self, need: Needed) -> None:
        """The reply a pass needs, from the gateway, with no connection held meanwhile."""
        try:
            reply: AIResult[Any] | AIBudgetExceeded = await self._call(need)
        except AIBudgetExceeded as exc:
            reply = exc
        self.got.append((need.role, reply))

    async def _call(self, need: Needed) -> AIResult[Any]:
        if need.role == AIRole.TUTOR and self.stream is not None:
            result: AIResult[TutorOutput] | None = None
            async for piece in self.ai.stream_tutor(need.inp, need.caller, self.db):
                if isinstance(piece, str):
                    await self.stream.put(piece)
                else:
                    result = piece
            assert result is not None
            return result
        if need.role == AIRole.TUTOR:
            return await self.ai.tutor(need.inp, need.caller, self.db)
        if need.role == AIRole.EXAMINER:
            return await self.ai.examine(need.inp, need.caller, self.db)
        if need.role == AIRole.COACH:
            return await self.ai.coach(need.inp, need.caller, self.db)
        return await self.ai.review(need.inp, need.caller, self.db)
