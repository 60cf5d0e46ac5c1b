"""Pausing and resuming a clock, warnings, and the calendar as a value."""

import pickle
from dataclasses import replace
from datetime import date, timedelta

import pytest

from helpdesk.policy import Calendar, PolicyError, load_policy_file, parse_duration
from tests.policy.support import (
    LONDON,
    REFERENCE,
    SPLIT,
    local,
    make_calendar,
)


@pytest.fixture(scope="module")
def reference() -> Calendar:
    return load_policy_file(REFERENCE).calendar


# -- pause and resume, warnings ---------------------------------------------------------------

MONDAY_9 = local(LONDON, 2026, 6, 8, 9)
FOUR_HOURS = parse_duration("4h")


def test_pause_keeps_the_service_time_left_and_resume_runs_it_on():
    due_at = SPLIT.due(FOUR_HOURS, MONDAY_9)
    assert due_at == local(LONDON, 2026, 6, 8, 14)
    left = SPLIT.remaining(FOUR_HOURS, local(LONDON, 2026, 6, 8, 10), due_at)
    assert left == 3 * 3600
    assert SPLIT.resume(FOUR_HOURS, local(LONDON, 2026, 6, 8, 16), left) == local(
        LONDON, 2026, 6, 9, 11
    )


def test_resuming_outside_service_hours_starts_at_the_next_opening():
    assert SPLIT.resume(FOUR_HOURS, local(LONDON, 2026, 6, 8, 20), 3 * 3600) == local(
        LONDON, 2026, 6, 9, 12
    )
    assert SPLIT.resume(FOUR_HOURS, local(LONDON, 2026, 6, 13, 9), 60) == local(
        LONDON, 2026, 6, 15, 9, 1
    )


def test_remaining_counts_only_service_time_and_is_never_negative():
    due_at = local(LONDON, 2026, 6, 8, 14)
    assert SPLIT.remaining(FOUR_HOURS, local(LONDON, 2026, 6, 8, 12, 30), due_at) == 3600
    assert SPLIT.remaining(FOUR_HOURS, local(LONDON, 2026, 6, 8, 15), due_at) == 0
    assert SPLIT.remaining(FOUR_HOURS, local(LONDON, 2026, 6, 6, 15), due_at) == 4 * 3600


@pytest.mark.parametrize("text", ["7d", "2wd"])
def test_other_durations_pause_and_resume_in_elapsed_time(text):
    duration = parse_duration(text)
    start = local(LONDON, 2026, 6, 8, 9)
    due_at = SPLIT.due(duration, start)
    paused = start + timedelta(hours=5)
    left = SPLIT.remaining(duration, paused, due_at)
    assert left == (due_at - paused).total_seconds()
    resumed = paused + timedelta(days=1, minutes=7)
    assert SPLIT.resume(duration, resumed, left) == due_at + timedelta(days=1, minutes=7)
    assert SPLIT.remaining(duration, due_at + timedelta(seconds=1), due_at) == 0


def test_resume_refuses_a_negative_remainder():
    with pytest.raises(ValueError, match="negative"):
        SPLIT.resume(parse_duration("7d"), MONDAY_9, -1)


def test_warning_for_service_time_is_a_fraction_of_the_service_time():
    start = local(LONDON, 2026, 6, 8, 11)
    due_at = SPLIT.due(FOUR_HOURS, start)
    assert due_at == local(LONDON, 2026, 6, 8, 16)
    assert SPLIT.warning_at(FOUR_HOURS, start, due_at, 0.5) == local(LONDON, 2026, 6, 8, 14)
    assert SPLIT.warning_at(FOUR_HOURS, start, due_at, 0.25) == local(LONDON, 2026, 6, 8, 12)
    assert SPLIT.warning_at(FOUR_HOURS, start, due_at, 0) == start
    assert SPLIT.warning_at(FOUR_HOURS, start, due_at, 1) == due_at


def test_warning_for_other_durations_is_a_fraction_of_the_elapsed_time():
    start = local(LONDON, 2026, 11, 20, 17)
    two = parse_duration("2wd")
    due_at = SPLIT.due(two, start)
    assert SPLIT.warning_at(two, start, due_at, 0.75) == start + (due_at - start) * 0.75
    week = parse_duration("7d")
    assert SPLIT.warning_at(week, start, SPLIT.due(week, start), 0.5) == start + timedelta(days=3.5)


@pytest.mark.parametrize("fraction", [-0.1, 1.01])
def test_warning_fraction_must_be_between_0_and_1(fraction):
    with pytest.raises(ValueError, match="fraction"):
        SPLIT.warning_at(FOUR_HOURS, MONDAY_9, MONDAY_9, fraction)


# -- the value itself -------------------------------------------------------------------------


def test_calendar_is_frozen_comparable_and_hashable():
    assert make_calendar() == make_calendar()
    assert hash(make_calendar()) == hash(make_calendar())
    assert make_calendar() != make_calendar(holidays=["2026-12-25"])
    with pytest.raises(AttributeError):
        SPLIT.timezone = "UTC"  # type: ignore[misc]
    assert SPLIT.zone == LONDON


def test_calendar_refuses_an_unknown_time_zone_and_a_short_week():
    with pytest.raises(PolicyError, match='calendar.timezone: "Mars/Olympus"'):
        make_calendar("Mars/Olympus")
    with pytest.raises(ValueError, match="one entry per weekday"):
        Calendar("UTC", frozenset(), frozenset(), ((),) * 6)
    for bad in (((600, 540),), ((540, 720), (700, 800)), ((0, 1441),), ((-1, 60),)):
        with pytest.raises(ValueError, match="disjoint"):
            Calendar("UTC", frozenset(), frozenset(), (bad,) + ((),) * 6)


def test_calendar_survives_pickling_and_replace():
    start = local(LONDON, 2026, 6, 8, 11)
    copy = pickle.loads(pickle.dumps(SPLIT))  # noqa: S301 (our own object)
    assert copy == SPLIT and copy.due(FOUR_HOURS, start) == SPLIT.due(FOUR_HOURS, start)
    closed_monday = replace(SPLIT, holidays=frozenset({date(2026, 6, 8)}))
    assert closed_monday.due(FOUR_HOURS, start) == local(LONDON, 2026, 6, 9, 14)
