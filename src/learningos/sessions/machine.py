"""The session state machine as one explicit transition table (product.md).

    init → explain → user_explain → evaluate → decide_next → (explain | user_explain | complete)

`paused` is reachable from every active state and resumes to where it was; `ask` (a free
question to the tutor) is allowed in every active state and changes nothing. Events are what
the learner does (start, answer, next, ask, pause, resume, end) and what the system does in
between (explained, evaluated, finished). An event a state does not accept is refused.
"""

from __future__ import annotations

from typing import Literal

State = Literal["init", "explain", "user_explain", "evaluate", "decide_next", "complete", "paused"]
Event = Literal[
    "start",  # learner: begin (init → explain)
    "explained",  # system: the tutor's explanation was given
    "answer",  # learner: an own-words explanation
    "evaluated",  # system: the examiner scored it and the coach decided
    "proceed",  # learner, after the coach said proceed: the next concept
    "practice",  # learner, after the coach said practice: do the application task
    "review",  # learner, after the coach said review: explain the concept again
    "finished",  # system: no concept left
    "ask",  # learner: a free question
    "pause",
    "resume",
    "end",  # learner: end the session now
]

ACTIVE: tuple[State, ...] = ("init", "explain", "user_explain", "evaluate", "decide_next")

TRANSITIONS: dict[tuple[State, Event], State] = {
    ("init", "start"): "explain",
    ("explain", "explained"): "user_explain",
    ("user_explain", "answer"): "evaluate",
    ("evaluate", "evaluated"): "decide_next",
    ("decide_next", "proceed"): "explain",
    ("decide_next", "practice"): "user_explain",
    ("decide_next", "review"): "explain",
    ("decide_next", "finished"): "complete",
    ("explain", "finished"): "complete",
    **{(state, "ask"): state for state in ACTIVE},
    **{(state, "pause"): "paused" for state in ACTIVE},
    **{(state, "end"): "complete" for state in (*ACTIVE, "paused")},
}


class InvalidTransition(Exception):
    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"cannot {event} in state {state}")
        self.state = state
        self.event = event


def next_state(state: State, event: Event, paused_from: State | None = None) -> State:
    """The state after `event`, or InvalidTransition. Resuming returns to the paused state."""
    if event == "resume":
        if state != "paused" or paused_from not in ACTIVE:
            raise InvalidTransition(state, event)
        return paused_from
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise InvalidTransition(state, event) from None


# What the learner can ask for. `continue` follows the coach's decision (proceed, practice or
# review; finished when no concept is left): the decision rule holds whoever acts.
ACTIONS = ("start", "answer", "continue", "ask", "pause", "resume", "end")


def allowed(state: State, paused_from: State | None = None) -> list[str]:
    """The actions this state accepts (for the client and for error messages)."""
    actions = [a for a in ("start", "answer", "ask", "pause", "end") if (state, a) in TRANSITIONS]
    if state == "decide_next":
        actions.insert(0, "continue")
    if state == "paused" and paused_from in ACTIVE:
        actions.insert(0, "resume")
    return actions
