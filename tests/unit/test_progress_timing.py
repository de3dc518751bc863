"""Time spent, daily streaks, local days and months, and the confidence chart's geometry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from learningos.kit.clock import (
    day_start,
    local_day,
    month_key,
    streak,
    time_spent,
    zone,
)
from learningos.progress.service import confidence_chart

PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")  # UTC+7
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # UTC-8 in winter
UTC_ZONE = ZoneInfo("UTC")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# ---------- time spent ----------


def test_time_spent_sums_the_gaps():
    stamps = [at("2026-03-01T10:00:00"), at("2026-03-01T10:01:00"), at("2026-03-01T10:03:30")]
    assert time_spent(stamps, idle_cap=300) == 60 + 150


def test_time_spent_caps_each_idle_gap():
    stamps = [
        at("2026-03-01T10:00:00"),
        at("2026-03-01T10:02:00"),  # 120 s
        at("2026-03-01T12:00:00"),  # away for two hours: counted as the cap
        at("2026-03-01T12:00:45"),  # 45 s
    ]
    assert time_spent(stamps, idle_cap=300) == 120 + 300 + 45


def test_time_spent_orders_the_timestamps_and_handles_few():
    later, earlier = at("2026-03-01T10:05:00"), at("2026-03-01T10:00:00")
    assert time_spent([later, earlier], idle_cap=600) == 300
    assert time_spent([earlier], idle_cap=300) == 0
    assert time_spent([], idle_cap=300) == 0


# ---------- streak ----------


def test_streak_counts_consecutive_days_ending_today():
    today = date(2026, 3, 10)
    days = {today - timedelta(days=n) for n in range(4)} | {date(2026, 3, 1)}
    assert streak(days, today) == 4


def test_streak_is_alive_until_the_day_ends():
    today = date(2026, 3, 10)
    days = {date(2026, 3, 9), date(2026, 3, 8)}
    assert streak(days, today) == 2  # nothing yet today, but yesterday counts
    assert streak(days, date(2026, 3, 11)) == 0  # a whole day missed: broken


def test_streak_without_activity_is_zero():
    assert streak(set(), date(2026, 3, 10)) == 0


def test_streak_across_midnight_depends_on_the_time_zone():
    # 16:30 UTC on 1 March and 17:30 UTC on 1 March: the second is already 2 March 00:30 in
    # Phnom Penh (UTC+7), so there the learner was active on two local days.
    stamps = [at("2026-03-01T16:30:00"), at("2026-03-01T17:30:00")]
    now = at("2026-03-02T03:00:00")

    def streak_in(tz: ZoneInfo) -> int:
        return streak({local_day(s, tz) for s in stamps}, local_day(now, tz))

    assert streak_in(PHNOM_PENH) == 2  # 1 and 2 March; today is 2 March there
    assert streak_in(UTC_ZONE) == 1  # both on 1 March; today (2 March) not yet active
    # Los Angeles: both on 1 March (08:30, 09:30); `now` is still 1 March 19:00 there.
    assert streak_in(LOS_ANGELES) == 1
    assert local_day(now, LOS_ANGELES) == date(2026, 3, 1)


def test_local_day_reads_naive_times_as_utc():
    assert local_day(datetime(2026, 3, 1, 20, 0), PHNOM_PENH) == date(2026, 3, 2)


@pytest.mark.parametrize("tz", [PHNOM_PENH, LOS_ANGELES, UTC_ZONE])
def test_a_local_day_starts_at_its_own_midnight(tz: ZoneInfo):
    for day in (date(2026, 3, 1), date(2026, 3, 8), date(2026, 11, 1)):  # DST changes in LA
        start = day_start(day, tz)
        assert start.tzinfo == UTC
        assert local_day(start, tz) == day
        assert local_day(start - timedelta(microseconds=1), tz) == day - timedelta(days=1)


# ---------- month key ----------


def test_month_key_at_a_month_boundary_in_a_non_utc_zone():
    end_of_january_utc = at("2026-01-31T18:00:00")
    assert month_key(end_of_january_utc, UTC_ZONE) == "2026-01"
    assert month_key(end_of_january_utc, PHNOM_PENH) == "2026-02"  # 01:00 on 1 February
    start_of_march_utc = at("2026-03-01T05:00:00")
    assert month_key(start_of_march_utc, LOS_ANGELES) == "2026-02"  # 21:00 on 28 February


@pytest.mark.parametrize(
    ("name", "key"),
    [("Asia/Phnom_Penh", "Asia/Phnom_Penh"), ("Not/AZone", "UTC"), ("", "UTC"), (None, "UTC")],
)
def test_zone_falls_back_to_utc(name, key):
    assert zone(name).key == key


# ---------- chart geometry ----------


def test_chart_without_points_is_empty_but_has_its_axis():
    chart = confidence_chart([])
    assert chart["empty"] is True
    assert chart["points"] == "" and chart["area"] == "" and chart["dots"] == []
    assert chart["x_ticks"] == []
    assert [t["label"] for t in chart["y_ticks"]] == ["0%", "25%", "50%", "75%", "100%"]
    assert chart["y_ticks"][0]["y"] == chart["bottom"] and chart["y_ticks"][-1]["y"] == chart["top"]


def test_chart_with_one_point_centres_it():
    chart = confidence_chart([(date(2026, 3, 5), 0.5)], width=640, height=200)
    (dot,) = chart["dots"]
    assert dot["x"] == (chart["left"] + chart["right"]) / 2
    assert dot["y"] == (chart["top"] + chart["bottom"]) / 2
    assert chart["points"] == f"{dot['x']},{dot['y']}"
    assert chart["area"] == ""  # no area under a single point
    assert chart["x_ticks"] == [{"x": dot["x"], "label": "Mar 5", "anchor": "middle"}]


def test_chart_with_many_points_scales_by_date():
    points = [(date(2026, 3, 11), 1.0), (date(2026, 3, 1), 0.0), (date(2026, 3, 6), 0.5)]
    chart = confidence_chart(points, width=640, height=200)
    xs = [d["x"] for d in chart["dots"]]
    ys = [d["y"] for d in chart["dots"]]
    assert xs == [chart["left"], (chart["left"] + chart["right"]) / 2, chart["right"]]
    assert ys == [chart["bottom"], (chart["top"] + chart["bottom"]) / 2, chart["top"]]
    assert chart["points"].split() == [f"{x},{y}" for x, y in zip(xs, ys, strict=True)]
    assert chart["area"].startswith(f"{xs[0]},{chart['bottom']} ")
    assert chart["area"].endswith(f" {xs[-1]},{chart['bottom']}")
    labels = [t["label"] for t in chart["x_ticks"]]
    assert labels[0] == "Mar 1" and labels[-1] == "Mar 11" and len(labels) <= 5
    assert all(chart["left"] <= t["x"] <= chart["right"] for t in chart["x_ticks"])
    anchors = [t["anchor"] for t in chart["x_ticks"]]
    assert anchors[0] == "start" and anchors[-1] == "end"  # the outer labels stay inside
    assert set(anchors[1:-1]) <= {"middle"}


def test_chart_clamps_values_and_has_few_ticks_for_close_days():
    chart = confidence_chart([(date(2026, 3, 1), 1.4), (date(2026, 3, 2), -0.2)])
    assert [d["y"] for d in chart["dots"]] == [chart["top"], chart["bottom"]]
    assert [t["label"] for t in chart["x_ticks"]] == ["Mar 1", "Mar 2"]
