"""The calendar's deadline arithmetic (POLICY.md, "Durations"): every rule and its edges."""

import time as timer
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from helpdesk.policy import WEEKDAYS, Calendar, PolicyError, load_policy_file
from tests.policy.support import (
    LONDON,
    NEW_YORK,
    REFERENCE,
    SPLIT,
    due,
    every_day,
    local,
    make_calendar,
)


@pytest.fixture(scope="module")
def reference() -> Calendar:
    return load_policy_file(REFERENCE).calendar


# -- the examples in POLICY.md ----------------------------------------------------------------


def test_24h_across_spring_forward_counts_real_seconds():
    calendar = make_calendar(hours=every_day("00:00-24:00"))
    result = due(calendar, "24h", local(LONDON, 2026, 3, 28, 12))
    assert result == local(LONDON, 2026, 3, 29, 13)
    assert result.isoformat() == "2026-03-29T12:00:00+00:00"


def test_two_working_days_from_friday_evening(reference):
    result = due(reference, "2wd", local(LONDON, 2026, 11, 20, 17))
    assert result.isoformat() == "2026-11-25T00:00:00+00:00"


def test_zero_seconds_is_due_at_the_start_when_open(reference):
    start = local(LONDON, 2026, 6, 10, 12, 34, 56, 789)
    assert due(reference, "0s", start) == start
    assert due(reference, "0s", start).tzinfo is UTC


def test_zero_seconds_outside_hours_is_due_at_the_next_opening(reference):
    assert due(reference, "0s", local(LONDON, 2026, 6, 10, 23)) == local(LONDON, 2026, 6, 11, 8)


def test_service_clock_stands_still_outside_hours(reference):
    # 30 minutes before closing, then the rest from the next opening.
    assert due(reference, "1h", local(LONDON, 2026, 6, 10, 21, 30)) == local(
        LONDON, 2026, 6, 11, 8, 30
    )


def test_service_clock_started_outside_hours_starts_at_the_next_opening(reference):
    assert due(reference, "60s", local(LONDON, 2026, 6, 10, 3)) == local(LONDON, 2026, 6, 10, 8, 1)


def test_calendar_days_are_elapsed_time_across_dst(reference):
    start = local(LONDON, 2026, 3, 25, 23)  # closed, but calendar days do not care
    assert due(reference, "7d", start) == start.astimezone(UTC) + timedelta(days=7)
    assert due(reference, "7d", start) == local(LONDON, 2026, 4, 2, 0)  # one hour later by the wall


def test_every_result_is_utc_whatever_the_input_zone(reference):
    start = datetime(2026, 6, 10, 20, 0, tzinfo=timezone(timedelta(hours=9)))
    for text in ("0s", "8h", "7d", "2wd"):
        result = due(reference, text, start)
        assert result.tzinfo is UTC
        assert result == due(reference, text, start.astimezone(UTC))


def test_naive_datetimes_are_refused(reference):
    naive = datetime(2026, 6, 10, 12)
    for call in (
        lambda: due(reference, "8h", naive),
        lambda: due(reference, "2wd", naive),
        lambda: reference.is_open(naive),
        lambda: reference.next_opening(naive),
        lambda: reference.service_seconds_between(naive, naive),
        lambda: reference.add_service_seconds(naive, 1),
    ):
        with pytest.raises(ValueError, match="no time zone"):
            call()


# -- split shifts and the edges of an interval ------------------------------------------------


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        ((2026, 6, 8, 11, 30), "1h", (2026, 6, 8, 13, 30)),  # lunch does not count
        ((2026, 6, 8, 12, 30), "30m", (2026, 6, 8, 13, 30)),  # started at lunch
        ((2026, 6, 8, 9, 0), "3h", (2026, 6, 8, 12, 0)),  # runs out exactly at closing
        ((2026, 6, 8, 9, 0), "7h", (2026, 6, 8, 17, 0)),  # a whole day
        ((2026, 6, 8, 9, 0), "8h", (2026, 6, 9, 10, 0)),
        ((2026, 6, 8, 12, 0), "0s", (2026, 6, 8, 13, 0)),  # at closing: closed
        ((2026, 6, 8, 12, 0), "1m", (2026, 6, 8, 13, 1)),
        ((2026, 6, 8, 13, 0), "0s", (2026, 6, 8, 13, 0)),  # at opening: open
        ((2026, 6, 12, 16, 30), "1h", (2026, 6, 15, 9, 30)),  # Friday into Monday
        ((2026, 6, 12, 17, 0), "0s", (2026, 6, 15, 9, 0)),
        ((2026, 6, 13, 10, 0), "90s", (2026, 6, 15, 9, 1, 30)),  # Saturday: closed
        ((2026, 6, 8, 9, 0), "35h", (2026, 6, 12, 17, 0)),  # a whole week
    ],
)
def test_split_shifts(start, text, expected):
    assert due(SPLIT, text, local(LONDON, *start)) == local(LONDON, *expected)


def test_is_open_holds_an_interval_start_but_not_its_end():
    assert SPLIT.is_open(local(LONDON, 2026, 6, 8, 9))
    assert SPLIT.is_open(local(LONDON, 2026, 6, 8, 11, 59, 59, 999_999))
    assert not SPLIT.is_open(local(LONDON, 2026, 6, 8, 12))
    assert not SPLIT.is_open(local(LONDON, 2026, 6, 8, 8, 59, 59, 999_999))
    assert not SPLIT.is_open(local(LONDON, 2026, 6, 8, 17))
    assert not SPLIT.is_open(local(LONDON, 2026, 6, 13, 10))


def test_next_opening():
    at = local(LONDON, 2026, 6, 8, 10)
    assert SPLIT.next_opening(at) == at
    assert SPLIT.next_opening(at).tzinfo is UTC
    assert SPLIT.next_opening(local(LONDON, 2026, 6, 8, 12)) == local(LONDON, 2026, 6, 8, 13)
    assert SPLIT.next_opening(local(LONDON, 2026, 6, 12, 17)) == local(LONDON, 2026, 6, 15, 9)


def test_service_seconds_between():
    monday = local(LONDON, 2026, 6, 8, 0)
    assert SPLIT.service_seconds_between(monday, monday + timedelta(days=7)) == 35 * 3600
    assert (
        SPLIT.service_seconds_between(
            local(LONDON, 2026, 6, 8, 11, 30), local(LONDON, 2026, 6, 8, 13, 30)
        )
        == 3600
    )
    assert SPLIT.service_seconds_between(monday, monday) == 0
    assert SPLIT.service_seconds_between(monday + timedelta(days=1), monday) == 0
    assert (
        SPLIT.service_seconds_between(
            local(LONDON, 2026, 6, 8, 9), local(LONDON, 2026, 6, 8, 9, 0, 0, 500_000)
        )
        == 0.5
    )


def test_touching_intervals_and_intervals_across_midnight_run_on():
    calendar = make_calendar(hours={"mon": ["20:00-24:00"], "tue": ["00:00-02:00", "02:00-03:00"]})
    assert due(calendar, "7h", local(LONDON, 2026, 6, 8, 20)) == local(LONDON, 2026, 6, 9, 3)
    assert calendar.is_open(local(LONDON, 2026, 6, 9, 0))
    assert calendar.is_open(local(LONDON, 2026, 6, 9, 2))


def test_add_service_seconds():
    start = local(LONDON, 2026, 6, 8, 11, 59, 59)
    assert SPLIT.add_service_seconds(start, 1.5) == local(LONDON, 2026, 6, 8, 13, 0, 0, 500_000)
    assert SPLIT.add_service_seconds(start, 0) == start
    with pytest.raises(ValueError, match="negative"):
        SPLIT.add_service_seconds(start, -1)


# -- holidays ---------------------------------------------------------------------------------


def test_holidays_have_no_service_hours_on_weekdays_and_weekends(reference):
    # Thu 24 Dec 21:30: 30 minutes left that day; Fri 25 and Sat 26 are holidays.
    assert due(reference, "1h", local(LONDON, 2026, 12, 24, 21, 30)) == local(
        LONDON, 2026, 12, 27, 8, 30
    )
    assert not reference.is_open(local(LONDON, 2026, 12, 26, 12))
    assert reference.is_open(local(LONDON, 2026, 12, 27, 12))


def test_a_holiday_on_a_working_day_is_not_a_working_day(reference):
    # Wed 23 Dec: Thu 24 is the 1st; Fri 25 a holiday; Mon 28 the 2nd.
    assert due(reference, "2wd", local(LONDON, 2026, 12, 23, 10)) == local(LONDON, 2026, 12, 29)


def test_a_holiday_at_the_weekend_changes_no_working_day_count():
    with_holiday = make_calendar(holidays=["2026-06-13"])
    start = local(LONDON, 2026, 6, 12, 10)
    assert due(with_holiday, "1wd", start) == due(make_calendar(), "1wd", start)
    assert due(with_holiday, "1wd", start) == local(LONDON, 2026, 6, 16)


# -- working days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        ((2026, 11, 20, 0, 0), "2wd", (2026, 11, 25)),  # the start day never counts
        ((2026, 11, 20, 23, 59), "2wd", (2026, 11, 25)),
        ((2026, 11, 21, 12, 0), "2wd", (2026, 11, 25)),  # Saturday: Mon and Tue
        ((2026, 11, 23, 0, 0), "1wd", (2026, 11, 25)),
        ((2026, 11, 23, 9, 0), "5wd", (2026, 12, 1)),
        ((2026, 11, 23, 9, 0), "0wd", (2026, 11, 24)),  # the close of the start day
        ((2026, 10, 23, 12, 0), "1wd", (2026, 10, 27)),  # across the autumn change
        ((2026, 3, 27, 12, 0), "1wd", (2026, 3, 31)),  # across the spring change
    ],
)
def test_working_days(start, text, expected):
    assert due(make_calendar(), text, local(LONDON, *start)) == local(LONDON, *expected)


def test_working_days_use_the_local_date_of_the_start():
    # 23:30 New York on Friday is already Saturday in UTC; the local day is what counts.
    start = local(NEW_YORK, 2026, 11, 20, 23, 30)
    assert due(make_calendar("America/New_York"), "1wd", start) == local(NEW_YORK, 2026, 11, 24)


# -- daylight saving in two zones -------------------------------------------------------------

DST_DAYS = [
    ("Europe/London", date(2026, 3, 29), 23),
    ("Europe/London", date(2026, 10, 25), 25),
    ("America/New_York", date(2026, 3, 8), 23),
    ("America/New_York", date(2026, 11, 1), 25),
]


@pytest.mark.parametrize(("tz", "day", "hours"), DST_DAYS)
def test_a_whole_day_of_service_holds_its_real_hours(tz, day, hours):
    calendar = make_calendar(tz, every_day("00:00-24:00"))
    zone = ZoneInfo(tz)
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
    assert calendar.service_seconds_between(start, end) == hours * 3600
    assert due(calendar, f"{hours}h", start) == end
    assert due(calendar, "24h", start) == start.astimezone(UTC) + timedelta(hours=24)


@pytest.mark.parametrize(
    ("tz", "day", "expected_hours", "opens_utc"),
    [
        # London springs forward at 01:00 GMT: 01:00-02:00 never happens, so service opens at
        # the change (01:00 UTC) and holds one hour.
        ("Europe/London", date(2026, 3, 29), 1, "2026-03-29T01:00:00+00:00"),
        # London falls back at 02:00 BST: 01:00-02:00 happens twice; 01:00 is its first time.
        ("Europe/London", date(2026, 10, 25), 3, "2026-10-25T00:00:00+00:00"),
        ("America/New_York", date(2026, 3, 8), 1, "2026-03-08T06:00:00+00:00"),
        ("America/New_York", date(2026, 11, 1), 3, "2026-11-01T05:00:00+00:00"),
    ],
)
def test_hours_spanning_the_change(tz, day, expected_hours, opens_utc):
    calendar = make_calendar(tz, every_day("01:00-03:00"))
    zone = ZoneInfo(tz)
    midnight = datetime.combine(day, datetime.min.time(), zone)
    assert calendar.next_opening(midnight).isoformat() == opens_utc
    assert calendar.service_seconds_between(midnight, midnight + timedelta(hours=12)) == (
        expected_hours * 3600
    )


def test_service_time_runs_on_from_a_short_spring_day():
    calendar = make_calendar("America/New_York", every_day("01:00-03:00"))
    # One real hour on 8 March, the other 30 minutes the next night.
    result = due(calendar, "90m", local(NEW_YORK, 2026, 3, 8, 0))
    assert result == local(NEW_YORK, 2026, 3, 9, 1, 30)


def test_the_repeated_hour_is_open_both_times():
    calendar = make_calendar("America/New_York", every_day("01:00-03:00"))
    assert calendar.is_open(local(NEW_YORK, 2026, 11, 1, 1, 30, fold=0))
    assert calendar.is_open(local(NEW_YORK, 2026, 11, 1, 1, 30, fold=1))
    assert due(calendar, "150m", local(NEW_YORK, 2026, 11, 1, 1)) == local(
        NEW_YORK, 2026, 11, 1, 2, 30
    )


def test_an_interval_wholly_in_the_spring_gap_holds_nothing():
    calendar = make_calendar("America/New_York", every_day("02:00-03:00"))
    start = local(NEW_YORK, 2026, 3, 8, 0)
    assert calendar.next_opening(start) == local(NEW_YORK, 2026, 3, 9, 2)
    # An interval that begins in the gap begins at the change.
    later = make_calendar("America/New_York", every_day("02:30-05:00"))
    assert later.next_opening(start).isoformat() == "2026-03-08T07:00:00+00:00"
    assert due(later, "2h", start) == local(NEW_YORK, 2026, 3, 8, 5)


def test_a_midnight_that_does_not_exist():
    # Santiago springs forward at 00:00 on 6 Sept 2026: the day starts at 01:00.
    zone = ZoneInfo("America/Santiago")
    calendar = make_calendar("America/Santiago", every_day("00:00-24:00"), working=WEEKDAYS)
    start = local(zone, 2026, 9, 5, 12)
    # Friday + 1wd: Saturday the 5th closes at the change, 04:00 UTC.
    assert due(calendar, "1wd", local(zone, 2026, 9, 4, 12)).isoformat() == (
        "2026-09-06T04:00:00+00:00"
    )
    assert due(calendar, "24h", start) == start.astimezone(UTC) + timedelta(hours=24)
    assert calendar.service_seconds_between(start, local(zone, 2026, 9, 6, 12)) == 23 * 3600


# -- a year-long target and a calendar without hours ------------------------------------------


def test_year_long_targets_are_exact_and_fast(reference):
    start = local(LONDON, 2026, 1, 2, 10)
    began = timer.perf_counter()
    long = due(reference, "2000h", start)
    assert reference.service_seconds_between(start, long) == 2000 * 3600
    assert due(reference, "365d", start) == start.astimezone(UTC) + timedelta(days=365)
    result = due(reference, "260wd", start)
    day, left = start.date(), 260
    while left:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in reference.holidays:
            left -= 1
    assert result == datetime.combine(day + timedelta(days=1), datetime.min.time(), LONDON)
    for _ in range(20):
        due(reference, "2000h", start + timedelta(hours=_))
        due(reference, "260wd", start + timedelta(days=_))
    assert timer.perf_counter() - began < 1


def test_no_service_hours_at_all_raises_instead_of_looping():
    closed = make_calendar(hours={}, working=())
    start = local(LONDON, 2026, 6, 8, 10)
    with pytest.raises(PolicyError, match="no service hours"):
        due(closed, "1h", start)
    with pytest.raises(PolicyError, match="no service hours"):
        closed.next_opening(start)
    with pytest.raises(PolicyError, match="no working day"):
        due(closed, "1wd", start)
    assert not closed.is_open(start)
    assert closed.service_seconds_between(start, start + timedelta(days=30)) == 0
    assert due(closed, "7d", start) == start + timedelta(days=7)
    assert due(closed, "0wd", start) == local(LONDON, 2026, 6, 9)


def test_a_long_run_of_holidays_is_searched_through_but_not_forever():
    # 50 Mondays (350 days) of holidays are searched through; 60 (420 days) are too many.
    mondays = [(date(2026, 6, 8) + timedelta(weeks=w)).isoformat() for w in range(50)]
    calendar = make_calendar(hours={"mon": ["09:00-10:00"]}, holidays=mondays)
    start = local(LONDON, 2026, 6, 8, 0)
    assert calendar.next_opening(start) == local(LONDON, 2027, 5, 24, 9)
    too_many = [(date(2026, 6, 8) + timedelta(weeks=w)).isoformat() for w in range(60)]
    with pytest.raises(PolicyError, match="no service hours"):
        make_calendar(hours={"mon": ["09:00-10:00"]}, holidays=too_many).next_opening(start)
