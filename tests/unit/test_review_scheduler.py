"""The spaced-review scheduler: ratings from confidence, FSRS reviews of a concept's card, and
due buckets by calendar day in the learner's time zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Card, Rating
from hypothesis import given, settings
from hypothesis import strategies as st

from learningos.kit.clock import zone
from learningos.models.learning import ConceptProgress
from learningos.review.scheduler import (
    apply_evaluation,
    card_of,
    due_buckets,
    rating_for,
    stability_days,
)

BOUNDS = (0.4, 0.6, 0.85)
AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")  # UTC+7
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # UTC-8 in November
UTC_ZONE = ZoneInfo("UTC")


def progress() -> ConceptProgress:
    return ConceptProgress(confidence_history=[], gaps=[])


def due(moment: datetime) -> ConceptProgress:
    row = progress()
    row.due_at = moment
    return row


@pytest.mark.parametrize(
    ("confidence", "rating"),
    [
        (0.0, Rating.Again),
        (0.399, Rating.Again),
        (0.4, Rating.Hard),
        (0.599, Rating.Hard),
        (0.6, Rating.Good),
        (0.849, Rating.Good),
        (0.85, Rating.Easy),
        (1.0, Rating.Easy),
    ],
)
def test_rating_for_boundaries(confidence: float, rating: Rating) -> None:
    assert rating_for(confidence, BOUNDS) is rating


def test_rating_follows_the_configured_bounds() -> None:
    assert rating_for(0.5, (0.5, 0.7, 0.9)) is Rating.Hard
    assert rating_for(0.5, (0.2, 0.3, 0.4)) is Rating.Easy


def test_first_evaluation_creates_the_card() -> None:
    row = progress()
    assert card_of(row) is None and stability_days(row) is None
    apply_evaluation(row, 0.7, AT, BOUNDS)
    assert row.fsrs_card is not None
    card = card_of(row)
    assert card is not None and card.last_review == AT
    assert row.due_at == card.due and row.due_at > AT
    assert stability_days(row) == pytest.approx(card.stability)


def test_low_confidence_is_due_sooner_than_high() -> None:
    dues = []
    for confidence in (0.1, 0.7, 0.95):
        row = progress()
        apply_evaluation(row, confidence, AT, BOUNDS)
        assert row.due_at is not None
        dues.append(row.due_at)
    assert dues[0] < dues[1] < dues[2]
    assert dues[0] - AT == timedelta(days=1)  # the schedule is in days, never minutes


def test_repeated_good_ratings_grow_the_interval() -> None:
    row = progress()
    at = AT
    intervals = []
    for _ in range(4):
        apply_evaluation(row, 0.75, at, BOUNDS)
        assert row.due_at is not None
        intervals.append(row.due_at - at)
        at = row.due_at  # reviewed when due
    assert intervals == sorted(intervals) and intervals[-1] > intervals[0] * 4


def test_a_failed_review_shortens_the_interval() -> None:
    row = progress()
    apply_evaluation(row, 0.9, AT, BOUNDS)
    assert row.due_at is not None
    good_interval = row.due_at - AT
    at = row.due_at
    apply_evaluation(row, 0.1, at, BOUNDS)
    assert row.due_at is not None and row.due_at - at < good_interval


def test_the_schedule_is_deterministic() -> None:
    first, second = progress(), progress()
    for row in (first, second):
        at = AT
        for confidence in (0.5, 0.8, 0.9, 0.95):
            apply_evaluation(row, confidence, at, BOUNDS)
            assert row.due_at is not None
            at = row.due_at + timedelta(hours=3)
    assert first.fsrs_card == second.fsrs_card and first.due_at == second.due_at


def test_card_survives_a_json_round_trip() -> None:
    row = progress()
    apply_evaluation(row, 0.7, AT, BOUNDS)
    row.fsrs_card = json.loads(json.dumps(row.fsrs_card))  # what the database gives back
    card = card_of(row)
    assert isinstance(card, Card) and card.to_dict() == row.fsrs_card
    apply_evaluation(row, 0.9, AT + timedelta(days=2), BOUNDS)
    assert row.due_at is not None and row.due_at > AT + timedelta(days=2)


def test_an_evaluation_in_another_time_zone_is_stored_in_utc() -> None:
    row = progress()
    local = AT.astimezone(PHNOM_PENH)
    apply_evaluation(row, 0.7, local, BOUNDS)
    assert row.due_at is not None and row.due_at.tzinfo == UTC
    same = progress()
    apply_evaluation(same, 0.7, AT, BOUNDS)
    assert row.fsrs_card == same.fsrs_card


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        apply_evaluation(progress(), 0.7, datetime(2026, 11, 27, 9, 0), BOUNDS)


@settings(max_examples=60, deadline=None)
@given(
    confidences=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=12),
    gaps_hours=st.lists(st.integers(min_value=0, max_value=24 * 60), min_size=12, max_size=12),
)
def test_any_history_schedules_after_the_review(
    confidences: list[float], gaps_hours: list[int]
) -> None:
    row = progress()
    at = AT
    for confidence, gap in zip(confidences, gaps_hours, strict=False):
        at += timedelta(hours=gap)
        apply_evaluation(row, confidence, at, BOUNDS)
        assert row.due_at is not None and row.due_at > at
        stored = json.loads(json.dumps(row.fsrs_card))
        assert stored == row.fsrs_card
        card = card_of(row)
        assert card is not None and card.due == row.due_at and card.to_dict() == stored


# -- due buckets -------------------------------------------------------------------------


def names(buckets: dict[str, list[ConceptProgress]], rows: list[ConceptProgress]) -> dict:
    index = {id(row): n for n, row in enumerate(rows)}
    return {name: [index[id(row)] for row in items] for name, items in buckets.items()}


def test_buckets_by_calendar_day_soonest_first() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    rows = [
        due(now + timedelta(days=3)),  # 0: this week
        due(now - timedelta(days=10)),  # 1: overdue
        due(now + timedelta(hours=2)),  # 2: today
        due(now + timedelta(days=1)),  # 3: tomorrow
        due(now + timedelta(days=7)),  # 4: the 7th day: this week
        due(now + timedelta(days=8)),  # 5: later: left out
        progress(),  # 6: no card: left out
        due(now + timedelta(days=2)),  # 7: this week, before 0
    ]
    assert names(due_buckets(rows, now, UTC_ZONE), rows) == {
        "overdue_or_today": [1, 2],
        "tomorrow": [3],
        "this_week": [7, 0, 4],
    }


def test_due_late_in_the_utc_day_is_tomorrow_in_phnom_penh() -> None:
    now = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 17:00 in Phnom Penh
    rows = [due(datetime(2026, 11, 27, 23, 30, tzinfo=UTC))]  # 06:30 on the 28th there
    assert names(due_buckets(rows, now, PHNOM_PENH), rows)["tomorrow"] == [0]
    assert names(due_buckets(rows, now, UTC_ZONE), rows)["overdue_or_today"] == [0]


@pytest.mark.parametrize(
    ("tz", "now", "before_midnight", "after_midnight"),
    [
        # Phnom Penh (UTC+7): local midnight of the 28th is 17:00 UTC on the 27th.
        (
            PHNOM_PENH,
            datetime(2026, 11, 27, 3, 0, tzinfo=UTC),
            datetime(2026, 11, 27, 16, 59, tzinfo=UTC),
            datetime(2026, 11, 27, 17, 1, tzinfo=UTC),
        ),
        # Los Angeles (UTC-8): local midnight of the 28th is 08:00 UTC on the 28th.
        (
            LOS_ANGELES,
            datetime(2026, 11, 27, 20, 0, tzinfo=UTC),
            datetime(2026, 11, 28, 7, 59, tzinfo=UTC),
            datetime(2026, 11, 28, 8, 1, tzinfo=UTC),
        ),
        (
            UTC_ZONE,
            datetime(2026, 11, 27, 0, 0, tzinfo=UTC),
            datetime(2026, 11, 27, 23, 59, 59, tzinfo=UTC),
            datetime(2026, 11, 28, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_local_midnight_separates_today_from_tomorrow(
    tz: ZoneInfo, now: datetime, before_midnight: datetime, after_midnight: datetime
) -> None:
    rows = [due(after_midnight), due(before_midnight)]
    assert names(due_buckets(rows, now, tz), rows) == {
        "overdue_or_today": [1],
        "tomorrow": [0],
        "this_week": [],
    }


def test_now_just_after_local_midnight_starts_a_new_day() -> None:
    # 00:30 on the 28th in Phnom Penh; the concept was due at 23:50 on the 27th there.
    now = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
    rows = [due(datetime(2026, 11, 27, 16, 50, tzinfo=UTC)), due(now + timedelta(hours=24))]
    buckets = names(due_buckets(rows, now, PHNOM_PENH), rows)
    assert buckets["overdue_or_today"] == [0] and buckets["tomorrow"] == [1]
    # In Los Angeles it is still the 27th (09:30): both due times fall today and tomorrow.
    buckets = names(due_buckets(rows, now, LOS_ANGELES), rows)
    assert buckets["overdue_or_today"] == [0] and buckets["tomorrow"] == [1]


def test_the_week_ends_on_the_seventh_local_day() -> None:
    now = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 12:00 on the 27th in Los Angeles
    seventh_day_late = datetime(2026, 12, 5, 7, 0, tzinfo=UTC)  # 23:00 on Dec 4 there
    eighth_day = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # 01:00 on Dec 5 there
    rows = [due(seventh_day_late), due(eighth_day)]
    assert names(due_buckets(rows, now, LOS_ANGELES), rows)["this_week"] == [0]
    assert names(due_buckets(rows, now, UTC_ZONE), rows)["this_week"] == []


def test_zone_falls_back_to_utc() -> None:
    assert zone("Asia/Phnom_Penh").key == "Asia/Phnom_Penh"
    for bad in (None, "", "Mars/Olympus", "../etc/passwd", 7):
        assert zone(bad).key == "UTC"
