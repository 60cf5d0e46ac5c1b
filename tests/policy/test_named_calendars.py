"""Format version 2: named calendars `[calendars.NAME]` beside the default `[calendar]`
(POLICY.md, "More than one calendar")."""

import json
import pickle
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.policy import PolicyError, UnknownCalendar, parse_duration, parse_policy
from tests.policy.support import CALENDAR, DOCUMENT, LONDON, NEW_YORK, problems

US = """
[calendars.us-support]
timezone = "America/New_York"
working_days = ["mon", "tue", "wed", "thu", "fri"]
holidays = ["2026-11-26"]

[calendars.us-support.hours]
mon = ["08:00-20:00"]
tue = ["08:00-20:00"]
wed = ["08:00-20:00"]
thu = ["08:00-20:00"]
fri = ["08:00-20:00"]

[calendars.night_desk]
timezone = "Europe/London"
working_days = ["sat", "sun"]
[calendars.night_desk.hours]
sat = ["00:00-24:00"]
sun = ["00:00-24:00"]
"""
TARGETS = """
[channels.email]
first_response = "8h"
resolution = "2wd"
"""


@pytest.fixture(scope="module")
def policy():
    return parse_policy(DOCUMENT + CALENDAR + US + TARGETS)


def test_named_calendars_are_read_in_the_documents_order(policy):
    assert policy.calendar_names() == ("us-support", "night_desk")
    us = policy.calendar_named("us-support")
    assert us.timezone == "America/New_York"
    assert us.holidays == frozenset({date(2026, 11, 26)})
    assert us.hours[0] == ((480, 1200),)
    assert us.hours[5] == ()


def test_the_default_calendar_has_no_name(policy):
    assert policy.calendar_named(None) is policy.calendar
    assert policy.calendar_named("") is policy.calendar
    assert policy.calendar.timezone == "Europe/London"


def test_an_unknown_calendar(policy):
    with pytest.raises(UnknownCalendar) as info:
        policy.calendar_named("eu-support")
    assert str(info.value) == (
        'unknown calendar "eu-support"; known: us-support, night_desk '
        "(leave it out for the default [calendar])"
    )
    assert info.value.name == "eu-support"
    assert isinstance(info.value, PolicyError)
    with pytest.raises(UnknownCalendar):
        policy.deadline("email.first_response", datetime(2026, 11, 23, tzinfo=UTC), calendar="x")


def test_a_document_without_named_calendars():
    policy = parse_policy(DOCUMENT + CALENDAR)
    assert policy.calendar_names() == ()
    assert policy.to_dict()["calendars"] == {}
    with pytest.raises(UnknownCalendar, match='unknown calendar "us"; known: none'):
        policy.calendar_named("us")


def test_a_deadline_on_a_named_calendar(policy):
    # Monday 23 November 2026, 14:00 UTC: 09:00 in New York, 14:00 in London.
    start = datetime(2026, 11, 23, 14, tzinfo=UTC)
    # New York: open 08:00-20:00 on weekdays; 8 service hours from 09:00 is 17:00 (22:00 UTC).
    assert policy.deadline("email.first_response", start, calendar="us-support") == datetime(
        2026, 11, 23, 22, tzinfo=UTC
    )
    # The default calendar: 09:00-17:00 on Mondays only; 3 hours today, 5 next Monday.
    assert policy.deadline("email.first_response", start) == datetime(2026, 11, 30, 14, tzinfo=UTC)
    # Monday received: Tue 24 is the 1st working day, Wed 25 the 2nd: Thu 26 00:00 New York.
    assert policy.deadline("email.resolution", start, calendar="us-support") == datetime(
        2026, 11, 26, 5, tzinfo=UTC
    )
    # Wed 25 received: Thu 26 is the calendar's own holiday (Thanksgiving), Fri 27 the 1st,
    # Mon 30 the 2nd: Tue 1 Dec 00:00 New York. The default calendar has no such holiday.
    wednesday = datetime(2026, 11, 25, 12, tzinfo=NEW_YORK)
    assert policy.deadline("email.resolution", wednesday) == datetime(2026, 11, 28, tzinfo=UTC)
    assert policy.deadline("email.resolution", wednesday, calendar="us-support") == datetime(
        2026, 12, 1, 5, tzinfo=UTC
    )


def test_a_weekend_calendar(policy):
    saturday = datetime(2026, 11, 21, 23, tzinfo=LONDON)
    assert policy.deadline("email.first_response", saturday, calendar="night_desk") == datetime(
        2026, 11, 22, 7, tzinfo=UTC
    )


def test_named_calendars_in_the_plain_form(policy):
    plain = json.loads(json.dumps(policy.to_dict()))
    assert plain["calendars"]["us-support"] == {
        "timezone": "America/New_York",
        "working_days": ["mon", "tue", "wed", "thu", "fri"],
        "holidays": ["2026-11-26"],
        "hours": {day: ["08:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
    }
    assert plain["calendar"]["timezone"] == "Europe/London"


def test_named_calendars_survive_pickling_and_stay_read_only(policy):
    copy = pickle.loads(pickle.dumps(policy))  # noqa: S301 (our own object)
    assert copy == policy
    assert copy.calendar_names() == policy.calendar_names()
    with pytest.raises(TypeError):
        copy.calendars["x"] = copy.calendar  # type: ignore[index]


def test_calendars_differ_policies_differ(policy):
    other = parse_policy(DOCUMENT + CALENDAR + US.replace("20:00", "19:00") + TARGETS)
    assert other != policy


# -- problems ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[calendars.US]\ntimezone = "UTC"\n',
            'calendars.US: "US" is not a calendar name (lower-case letters, digits, "-" and "_", '
            "starting with a letter or digit, at most 50)",
        ),
        ('[calendars."-us"]\ntimezone = "UTC"\n', 'calendars.-us: "-us" is not a calendar name'),
        (f'[calendars.{"a" * 51}]\ntimezone = "UTC"\n', "is not a calendar name"),
        ('[calendars]\nus = "UTC"\n', "calendars.us: must be a table, not a string"),
        ("[calendars.us]\n", "calendars.us.timezone: required"),
        ("[calendars.us]\n", "calendars.us.working_days: required"),
        ("[calendars.us]\n", "calendars.us.hours: required"),
        (
            '[calendars.us]\ntimezone = "Mars/Olympus"\nworking_days = []\n[calendars.us.hours]\n',
            'calendars.us.timezone: "Mars/Olympus" is not a known IANA time zone',
        ),
        (
            '[calendars.us]\ntimezone = "UTC"\nworking_days = ["monday"]\n[calendars.us.hours]\n',
            'calendars.us.working_days[0]: "monday" is not a weekday',
        ),
        (
            '[calendars.us]\ntimezone = "UTC"\nworking_days = []\nholidays = ["soon"]\n'
            "[calendars.us.hours]\n",
            'calendars.us.holidays[0]: "soon" is not a date (YYYY-MM-DD)',
        ),
        (
            '[calendars.us]\ntimezone = "UTC"\nworking_days = []\n[calendars.us.hours]\n'
            'mon = ["09:00-17:00", "12:00-13:00"]\n',
            'calendars.us.hours.mon: "09:00-17:00" and "12:00-13:00" overlap',
        ),
        (
            '[calendars.us]\ntimezone = "UTC"\nworking_days = []\n[calendars.us.hours]\n'
            'monday = ["09:00-17:00"]\n',
            'calendars.us.hours.monday: unknown key (did you mean "mon"?)',
        ),
        (
            '[calendars.us]\ntimezone = "UTC"\nworking_days = []\nholiday = []\n'
            "[calendars.us.hours]\n",
            'calendars.us.holiday: unknown key (did you mean "holidays"?)',
        ),
    ],
)
def test_problems_in_named_calendars(text, expected):
    found = problems(DOCUMENT + CALENDAR + text)
    assert any(expected in p for p in found), found


def test_calendars_must_be_a_table():
    found = problems('calendars = ["us"]\n' + DOCUMENT + CALENDAR)
    assert found == ("calendars: must be a table, not an array",)


def test_a_named_calendar_must_serve_the_durations_set():
    text = (
        DOCUMENT
        + CALENDAR
        + '[calendars.closed]\ntimezone = "UTC"\nworking_days = []\n[calendars.closed.hours]\n'
        + TARGETS
    )
    assert problems(text) == (
        "calendars.closed.hours: no service hours on any day, but service-time durations are "
        "set: channels.email.first_response",
        "calendars.closed.working_days: no working days, but working-day durations are set: "
        "channels.email.resolution",
    )


def test_too_many_calendars_is_one_problem():
    many = "".join(
        f'[calendars.c{i}]\ntimezone = "UTC"\nworking_days = []\n[calendars.c{i}.hours]\n'
        for i in range(1001)
    )
    assert problems(DOCUMENT + CALENDAR + many) == (
        "calendars: 1,001 entries; at most 1,000 are allowed",
    )


# -- laws -------------------------------------------------------------------------------------

NAMES = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,49}", fullmatch=True)


@given(name=NAMES, duration=st.sampled_from(["0s", "45m", "8h", "3d", "2wd", "0wd"]))
def test_a_named_copy_of_the_default_gives_the_same_deadlines(name, duration):
    copy = CALENDAR.replace("[calendar]", f"[calendars.{name}]").replace(
        "[calendar.hours]", f"[calendars.{name}.hours]"
    )
    policy = parse_policy(
        DOCUMENT + CALENDAR + copy + f'[channels.email]\nresolution = "{duration}"\n'
    )
    assert policy.calendar_names() == (name,)
    start = datetime(2026, 3, 28, 12, tzinfo=UTC)
    assert policy.deadline("email.resolution", start, calendar=name) == policy.deadline(
        "email.resolution", start
    )
    assert policy.calendar_named(name) == policy.calendar
    assert policy.target("email.resolution") == parse_duration(duration)


ZONES = st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney", "UTC"])
STARTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(
    zone=ZONES,
    start=STARTS,
    duration=st.sampled_from(["0s", "20m", "8h", "1d", "0wd", "2wd"]),
    urgent=st.sampled_from(["0s", "1h", "3d", "1wd"]),
    priority=st.sampled_from([None, "low", "normal", "high", "urgent"]),
)
def test_a_deadline_is_its_target_on_its_calendar(zone, start, duration, urgent, priority):
    text = (
        DOCUMENT
        + CALENDAR
        + f'[calendars.team]\ntimezone = "{zone}"\nworking_days = ["mon", "tue", "wed", "thu"]\n'
        + 'holidays = ["2026-03-30", "2026-11-02"]\n'
        + '[calendars.team.hours]\nmon = ["07:30-12:00", "13:00-18:30"]\nthu = ["00:00-24:00"]\n'
        + f'[channels.email]\nresolution = "{duration}"\n'
        + f'[channels.email.priority.urgent]\nresolution = "{urgent}"\n'
    )
    policy = parse_policy(text)
    expected = parse_duration(urgent if priority == "urgent" else duration)
    assert policy.target("email.resolution", priority=priority) == expected
    team = policy.calendar_named("team")
    due = policy.deadline("email.resolution", start, priority=priority, calendar="team")
    assert due == team.due(expected, start)
    assert due >= start and due.tzinfo is UTC
    if expected.kind == "service" and expected.amount:
        assert team.service_seconds_between(start, due) == expected.amount
