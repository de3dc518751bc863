"""The session state machine: explicit table, and random action sequences never leave it in an
invalid state (property test)."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.sessions import machine

STATES = set(get_args(machine.State))
EVENTS = list(get_args(machine.Event))


def test_the_main_loop() -> None:
    state = "init"
    for event, expected in [
        ("start", "explain"),
        ("explained", "user_explain"),
        ("answer", "evaluate"),
        ("evaluated", "decide_next"),
        ("practice", "user_explain"),
        ("answer", "evaluate"),
        ("evaluated", "decide_next"),
        ("review", "explain"),
        ("explained", "user_explain"),
        ("answer", "evaluate"),
        ("evaluated", "decide_next"),
        ("proceed", "explain"),
        ("explained", "user_explain"),
        ("answer", "evaluate"),
        ("evaluated", "decide_next"),
        ("finished", "complete"),
    ]:
        state = machine.next_state(state, event)  # type: ignore[arg-type]
        assert state == expected


def test_pause_resume_and_refusals() -> None:
    assert machine.next_state("user_explain", "pause") == "paused"
    assert machine.next_state("paused", "resume", "user_explain") == "user_explain"
    with pytest.raises(machine.InvalidTransition):
        machine.next_state("paused", "answer", "user_explain")
    with pytest.raises(machine.InvalidTransition):
        machine.next_state("init", "answer")
    with pytest.raises(machine.InvalidTransition):
        machine.next_state("complete", "resume", "user_explain")
    assert machine.allowed("decide_next")[0] == "continue"
    assert machine.allowed("paused", "explain")[0] == "resume"
    assert machine.allowed("complete") == []


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*EVENTS, "resume"]), max_size=40))
def test_random_sequences_never_leave_a_valid_state(events: list[str]) -> None:
    state: str = "init"
    paused_from: str | None = None
    for event in events:
        try:
            after = machine.next_state(state, event, paused_from)  # type: ignore[arg-type]
        except machine.InvalidTransition:
            assert event not in machine.allowed(state, paused_from) or event == "continue"  # type: ignore[arg-type]
            continue
        if after == "paused":
            paused_from = state
        elif state == "paused":
            paused_from = None
        state = after
        assert state in STATES
        assert (state == "paused") == (paused_from is not None)
        assert paused_from in (None, *machine.ACTIVE)
        if state == "complete":
            assert machine.allowed(state) == []  # nothing leaves complete
