"""Laws every calendar keeps, checked on generated calendars, starts and durations.

For any calendar with service hours somewhere in the week, any aware start s, and durations d:
  - a deadline never precedes its start: due(d, s) >= s, for every kind;
  - deadlines are monotonic: s1 <= s2 implies due(d, s1) <= due(d, s2), for every kind;
  - service time is exact: service_seconds_between(s, due(d, s)) == d.amount, and due is the
    earliest such instant (one microsecond earlier holds less);
  - service time splits: for service amounts a >= 0 and b > 0,
    due(a + b, s) == add_service_seconds(due(a, s), b). (With b == 0 it fails when due(a, s)
    falls on a closing time: a clock that runs out at closing is due then, while a 0 s clock
    started at closing waits for the next opening.)
  - pausing at p in [s, due) and resuming at once gives back the same due time, for service
    durations; pausing for longer never brings it earlier;
  - calendar days are exact elapsed time; working days end at a local midnight.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.policy import Calendar, Duration

US = timedelta(microseconds=1)
ZONES = [
    "Europe/London",
    "America/New_York",
    "America/Santiago",  # clocks change at midnight
    "Australia/Lord_Howe",  # a 30-minute change
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
]

LAWS = settings(
    max_examples=100,
    deadline=None,
    database=None,  # leave no example database behind
    suppress_health_check=[HealthCheck.too_slow],
)


@st.composite
def day_hours(draw) -> tuple[tuple[int, int], ...]:
    """0 to 3 disjoint, possibly touching intervals in one day (minutes, end exclusive)."""
    points = sorted(draw(st.sets(st.integers(0, 1440), max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    pairs = list(zip(points[::2], points[1::2], strict=True))
    if pairs and draw(st.booleans()):  # sometimes make neighbours touch
        merged = [pairs[0]]
        for start, end in pairs[1:]:
            merged.append((merged[-1][1], end) if start > merged[-1][1] else (start, end))
        pairs = merged
    return tuple(pairs)


@st.composite
def calendars(draw) -> Calendar:
    hours = tuple(draw(day_hours()) for _ in range(7))
    if not any(hours):
        hours = (((540, 1020),),) + hours[1:]
    holidays = draw(st.frozensets(st.dates(date(2025, 12, 1), date(2027, 12, 31)), max_size=30))
    working = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return Calendar(draw(st.sampled_from(ZONES)), working, holidays, hours)


def weekly_seconds(calendar: Calendar) -> int:
    return sum(b - a for day in calendar.hours for a, b in day) * 60


starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
)


@st.composite
def service_amount(draw, calendar: Calendar) -> int:
    """Up to about five weeks of the calendar's service time, so that searches stay short."""
    return draw(st.integers(0, 5 * weekly_seconds(calendar)))


def service(seconds: int) -> Duration:
    return Duration("service", seconds, f"{seconds}s")


@st.composite
def durations(draw, calendar: Calendar) -> Duration:
    kind = draw(st.sampled_from(["service", "calendar", "working_days"]))
    if kind == "service":
        return service(draw(service_amount(calendar)))
    if kind == "calendar":
        days = draw(st.integers(0, 30))
        return Duration("calendar", days * 86_400, f"{days}d")
    days = draw(st.integers(0, 30))
    return Duration("working_days", days, f"{days}wd")


@LAWS
@given(st.data(), calendars(), starts, starts)
def test_a_deadline_never_precedes_its_start_and_is_monotonic(data, calendar, s1, s2):
    duration = data.draw(durations(calendar))
    s1, s2 = min(s1, s2), max(s1, s2)
    d1, d2 = calendar.due(duration, s1), calendar.due(duration, s2)
    assert s1 <= d1 <= d2
    assert d2 >= s2
    assert d1.tzinfo is UTC


@LAWS
@given(st.data(), calendars(), starts)
def test_service_time_between_start_and_due_is_the_amount(data, calendar, start):
    duration = service(data.draw(service_amount(calendar)))
    due = calendar.due(duration, start)
    assert calendar.service_seconds_between(start, due) == duration.amount
    assert calendar.add_service_seconds(start, duration.amount) == due
    if duration.amount:
        # The earliest such instant: it lies at or just inside the end of service hours.
        assert calendar.service_seconds_between(start, due - US) < duration.amount
        assert calendar.is_open(due - US)
    else:
        assert calendar.is_open(due)
        assert due == (start if calendar.is_open(start) else calendar.next_opening(start))


@LAWS
@given(st.data(), calendars(), starts)
def test_service_time_splits(data, calendar, start):
    a = data.draw(service_amount(calendar))
    b = data.draw(service_amount(calendar).filter(bool))
    assert calendar.due(service(a + b), start) == calendar.add_service_seconds(
        calendar.due(service(a), start), b
    )


@LAWS
@given(st.data(), calendars(), starts, st.floats(0, 1), st.integers(0, 10 * 86_400))
def test_pause_and_resume(data, calendar, start, where, pause):
    duration = service(data.draw(service_amount(calendar).filter(bool)))
    due = calendar.due(duration, start)
    paused = start + (due - start) * where
    left = calendar.remaining(duration, paused, due)
    assert 0 <= left <= duration.amount
    if left:
        assert calendar.resume(duration, paused, left) == due
    resumed = paused + timedelta(seconds=pause)
    assert calendar.resume(duration, resumed, left) >= due


@LAWS
@given(calendars(), starts, st.integers(0, 30))
def test_calendar_days_are_elapsed_time(calendar, start, days):
    assert calendar.due(Duration("calendar", days * 86_400, f"{days}d"), start) == start + (
        timedelta(days=days)
    )


@LAWS
@given(calendars(), starts, st.integers(0, 30))
def test_working_days_end_at_a_local_midnight_after_n_working_days(calendar, start, n):
    due = calendar.due(Duration("working_days", n, f"{n}wd"), start)
    zone = ZoneInfo(calendar.timezone)
    first = start.astimezone(zone).date()
    # The last counted day is the local day before `due` (the instant just before it).
    last = (due - US).astimezone(zone).date()
    counted = [
        first + timedelta(days=i)
        for i in range(1, (last - first).days + 1)
        if (first + timedelta(days=i)).weekday() in calendar.working_days
        and first + timedelta(days=i) not in calendar.holidays
    ]
    assert len(counted) == n
    assert n == 0 or counted[-1] == last
    wall = due.astimezone(zone)
    # Midnight, or the moment the clocks went forward when that midnight did not exist.
    assert (
        wall.time() == datetime.min.time()
        or wall.utcoffset() != (due - US).astimezone(zone).utcoffset()
    )


@LAWS
@given(st.data(), calendars(), starts, st.sampled_from(ZONES))
def test_the_zone_of_the_start_makes_no_difference(data, calendar, start, zone):
    duration = data.draw(durations(calendar))
    assert calendar.due(duration, start.astimezone(ZoneInfo(zone))) == calendar.due(duration, start)


@LAWS
@given(st.data(), calendars(), starts, st.floats(0, 1), st.floats(0, 1))
def test_warnings_are_monotonic_and_within_the_clock(data, calendar, start, f1, f2):
    duration = data.draw(durations(calendar))
    due = calendar.due(duration, start)
    f1, f2 = min(f1, f2), max(f1, f2)
    w1 = calendar.warning_at(duration, start, due, f1)
    w2 = calendar.warning_at(duration, start, due, f2)
    assert start <= w1 <= w2 <= due
    if duration.kind != "service" or duration.amount:
        assert calendar.warning_at(duration, start, due, 1.0) == due
