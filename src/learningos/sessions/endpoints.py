"""Learning sessions: start, act, read, pause/resume, and the tutor's reply as a stream."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request, status
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from learningos.auth.deps import CurrentUser
from learningos.deps import ServicesDep, SessionDep
from learningos.kit.api import api_router
from learningos.kit.errors import AppError
from learningos.kit.handlers import error_body
from learningos.models.user import User
from learningos.sessions import service
from learningos.sessions.schemas import InteractIn, StartIn
from learningos.sessions.view import session_view

router = api_router("/api/v1/session", ["session"])


@router.post("/start", status_code=status.HTTP_201_CREATED)
async def start(
    body: StartIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    """A new session: on a concept, on the next concept of the map, or a review of due ones.
    Then `interact` with action `start` to get the tutor's explanation."""
    ls = await service.start(
        session, services, user, body.content_id, body.concept_id, body.mode, body.review
    )
    return await session_view(session, ls)


@router.post("/interact")
async def interact(
    body: InteractIn, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    """One learner action: start, answer (an own-words explanation), continue (follow the
    coach), ask (a free question), pause, resume, end, skip (accept an offer to skip easy
    concepts). An action the current step does not accept is a 409 naming what is possible."""
    turn = await service.interact(
        session, services, user, body.session_id, body.action, body.message, body.client_id
    )
    view = await session_view(session, turn.ls, replayed=turn.replayed)
    view["new_messages"] = [m for m in view["messages"] if m["id"] in {str(i.id) for i in turn.new}]
    return view


@router.post("/interact/stream")
async def interact_stream(
    body: InteractIn, request: Request, user: CurrentUser, services: ServicesDep
) -> StreamingResponse:
    """The same as `interact`, answered as server-sent events: `delta` events carry the
    tutor's text as it is generated (`reset` clears it when a provider failed mid-reply),
    then one `session` event with the whole session once it is saved, or one `error` event."""
    queue: asyncio.Queue[str] = asyncio.Queue()

    async def run(session: AsyncSession) -> dict[str, Any]:
        learner = await session.get(User, user.id)  # this transaction's copy of the user
        assert learner is not None
        turn = await service.interact(
            session,
            services,
            learner,
            body.session_id,
            body.action,
            body.message,
            body.client_id,
            stream=queue,
        )
        return await session_view(session, turn.ls, replayed=turn.replayed)

    async def events() -> AsyncIterator[bytes]:
        try:
            async with services.db.transaction() as session:
                task = asyncio.create_task(run(session))
                while not task.done() or not queue.empty():
                    getter = asyncio.create_task(queue.get())
                    await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
                    if not getter.done():
                        getter.cancel()
                        continue
                    piece = getter.result()
                    if piece == "\x00reset":
                        yield _event("reset", {})
                    else:
                        yield _event("delta", {"text": piece})
                view = task.result()  # raises what the action raised: nothing is saved
            yield _event("session", view)
        except AppError as exc:
            yield _event("error", error_body(request.scope, exc.code, exc.message, exc.details))

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n".encode()


@router.get("/{session_id}")
async def get_session(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> dict[str, Any]:
    """The session: its step, current concept, messages, adaptations and summary."""
    ls = await service.owned(session, user, session_id)
    return await session_view(session, ls)


@router.post("/{session_id}/pause")
async def pause(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    turn = await service.interact(session, services, user, session_id, "pause")
    return await session_view(session, turn.ls)


@router.post("/{session_id}/resume")
async def resume(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep, services: ServicesDep
) -> dict[str, Any]:
    turn = await service.interact(session, services, user, session_id, "resume")
    return await session_view(session, turn.ls)
