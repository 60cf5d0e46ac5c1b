"""Helpers shared by the policy engine's tests: small documents and readable calendars."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk.policy import WEEKDAYS, Calendar, PolicyError, parse_duration, parse_policy

LONDON = ZoneInfo("Europe/London")
ROOT = Path(__file__).resolve().parents[2]
PROJECT_COPY = ROOT / "config" / "service_policy.toml"
# The shared brief beside the project (as CI and every session have it).
SHARED = ROOT.parent / "shared" / "service_policy.toml"

DOCUMENT = """[document]
title = "T"
company = "C"
version = "1"
effective = 2026-01-01
approved_by = "A"
"""
CALENDAR = """[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
[calendar.hours]
mon = ["09:00-17:00"]
"""


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


NEW_YORK = ZoneInfo("America/New_York")
REFERENCE = PROJECT_COPY
WEEK = ("mon", "tue", "wed", "thu", "fri")


def minutes(interval: str) -> tuple[int, int]:
    start, end = interval.split("-")
    return tuple(int(t[:2]) * 60 + int(t[3:]) for t in (start, end))  # type: ignore[return-value]


def make_calendar(tz="Europe/London", hours=None, working=WEEK, holidays=()) -> Calendar:
    """A calendar from readable parts; by default 09:00-17:00 on weekdays."""
    hours = {day: ["09:00-17:00"] for day in WEEK} if hours is None else hours
    return Calendar(
        timezone=tz,
        working_days=frozenset(WEEKDAYS.index(d) for d in working),
        holidays=frozenset(date.fromisoformat(h) for h in holidays),
        hours=tuple(tuple(minutes(i) for i in hours.get(day, ())) for day in WEEKDAYS),
    )


def every_day(*intervals: str) -> dict[str, list[str]]:
    return {day: list(intervals) for day in WEEKDAYS}


def local(tz: ZoneInfo, *args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=tz, fold=fold)


def due(calendar: Calendar, text: str, start: datetime) -> datetime:
    return calendar.due(parse_duration(text), start)


SPLIT = make_calendar(hours={day: ["09:00-12:00", "13:00-17:00"] for day in WEEK})
