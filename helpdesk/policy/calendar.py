"""The calendar: service hours, working days and holidays in one time zone, and the deadline
arithmetic that every channel shares (POLICY.md, "Durations").

Everything here is pure: aware datetimes in, aware UTC datetimes out; "now" is always passed in.
Internally an instant is an integer count of microseconds since the Unix epoch, so that sums and
differences of service time are exact.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .durations import Duration
from .errors import PolicyError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)
_SECOND = 1_000_000
_DAY = 86_400 * _SECOND
# Searching this many days on without an opening (or a working day) means there is none to find.
MAX_GAP_DAYS = 400
# Keep the last day (and its midnight) clear of datetime's upper bound.
_LAST_ORDINAL = date.max.toordinal() - 2
# Cached days per calendar (about 27 years): bounds memory in a long-running worker.
_CACHE_DAYS = 10_000

Spans = tuple[tuple[int, int], ...]


def _us(at: datetime) -> int:
    """Microseconds since the epoch of an aware datetime; a naive datetime is a ValueError."""
    try:
        return (at - _EPOCH) // _ONE_US
    except TypeError:
        if isinstance(at, datetime):
            raise ValueError(f"{at.isoformat()} has no time zone; pass an aware datetime") from None
        raise


def _utc(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


@dataclass(frozen=True)
class Calendar:
    """Service hours per weekday, working days and holidays, in the time zone `timezone`.

    `working_days` holds weekday numbers as `date.weekday()` gives them (0 is Monday);
    `hours[weekday]` holds that weekday's service intervals as (start, end) minutes after local
    midnight, end exclusive, 1440 being the midnight at the close of the day. A holiday has no
    service hours, whatever its weekday.
    """

    timezone: str
    working_days: frozenset[int]
    holidays: frozenset[date]
    hours: tuple[tuple[tuple[int, int], ...], ...]
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _holiday_ordinals: frozenset[int] = field(init=False, repr=False, compare=False)
    _days: dict[int, tuple[Spans, int]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _midnights: dict[int, int] = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self) -> None:
        # Accept any iterables, and keep the instance immutable and hashable.
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise PolicyError(
                f'calendar.timezone: "{self.timezone}" is not a known IANA time zone'
            ) from exc
        hours = tuple(tuple(sorted((int(a), int(b)) for a, b in day)) for day in self.hours)
        if len(hours) != 7:
            raise ValueError("hours needs one entry per weekday, Monday first")
        for day in hours:
            # The arithmetic relies on ordered, disjoint intervals within a day.
            bounds = [m for span in day for m in span]
            if (
                any(a >= b for a, b in day)
                or bounds != sorted(bounds)
                or not all(0 <= m <= 1440 for m in bounds)
            ):
                raise ValueError(f"hours must be disjoint (start, end) minutes in 0..1440: {day}")
        setattr_ = object.__setattr__
        setattr_(self, "zone", zone)
        setattr_(self, "working_days", frozenset(self.working_days))
        setattr_(self, "holidays", frozenset(self.holidays))
        setattr_(self, "hours", hours)
        setattr_(self, "_holiday_ordinals", frozenset(d.toordinal() for d in self.holidays))

    # -- public API ---------------------------------------------------------------------------

    def due(self, duration: Duration, start: datetime) -> datetime:
        """When a clock for `duration` started at `start` is due, as an aware UTC datetime.

        Service time counts only time inside service hours; a clock started outside them starts
        at the next opening, and "0s" is due at the start, or at the next opening when closed.
        Calendar days are elapsed time. "Nwd" is due at midnight, local time, at the close of
        the Nth working day after the day of `start` (that day never counts); "0wd" is due at
        the close of the day of `start` itself. Months (the `policy.review` target) are due at
        the same local wall time N months later, the day clamped to the month's end.
        """
        u = _us(start)
        kind = duration.kind
        if kind == "service":
            return _utc(self._advance(u, duration.amount * _SECOND))
        if kind == "calendar":
            return _utc(u + duration.amount * _SECOND)
        if kind == "working_days":
            return _utc(self._working_days_end(start, duration.amount))
        if kind == "months":
            return self._months_later(start, duration.amount)
        raise ValueError(f"unknown duration kind {kind!r}")

    def is_open(self, at: datetime) -> bool:
        """Whether `at` lies inside service hours (an interval holds its start, not its end)."""
        u = _us(at)
        n = u // _DAY + _EPOCH_ORDINAL
        for ordinal in range(n - 2, n + 3):
            for s, e in self._spans(ordinal)[0]:
                if s <= u < e:
                    return True
        return False

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself (in UTC) when open, otherwise the start of the next service interval."""
        return _utc(self._advance(_us(at), 0))

    def service_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds of service time inside [a, b]; 0 when b is not after a."""
        ua, ub = _us(a), _us(b)
        if ub <= ua:
            return 0.0
        total = 0
        # A local day's intervals lie within the UTC days before and after it.
        first = ua // _DAY + _EPOCH_ORDINAL - 2
        last = ub // _DAY + _EPOCH_ORDINAL + 2
        for ordinal in range(first, last + 1):
            spans, day_total = self._spans(ordinal)
            if not spans:
                continue
            if spans[0][0] >= ua and spans[-1][1] <= ub:
                total += day_total
                continue
            for s, e in spans:
                lo, hi = max(s, ua), min(e, ub)
                if hi > lo:
                    total += hi - lo
        return total / _SECOND

    def add_service_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant at which `seconds` of service time have passed since `start`.

        As for a service-time clock: time before the next opening does not count, and 0 seconds
        gives `start` when open, else the next opening.
        """
        if seconds < 0:
            raise ValueError(f"cannot add a negative service time ({seconds} s)")
        return _utc(self._advance(_us(start), round(seconds * _SECOND)))

    def remaining(self, duration: Duration, at: datetime, due_at: datetime) -> float:
        """What is left of a clock paused at `at` that was due at `due_at`, never negative.

        Service durations count service seconds (paused time outside service hours is no loss);
        calendar and working-day durations count elapsed seconds.
        """
        if duration.kind == "service":
            return self.service_seconds_between(at, due_at)
        return max(0, _us(due_at) - _us(at)) / _SECOND

    def resume(self, duration: Duration, at: datetime, remaining: float) -> datetime:
        """The new due time of a clock resumed at `at` with `remaining` left.

        Service durations run `remaining` more service seconds (so resuming outside service
        hours starts at the next opening); other durations run `remaining` elapsed seconds.
        """
        if remaining < 0:
            raise ValueError(f"remaining time cannot be negative ({remaining} s)")
        if duration.kind == "service":
            return self.add_service_seconds(at, remaining)
        return _utc(_us(at) + round(remaining * _SECOND))

    def warning_at(
        self, duration: Duration, start: datetime, due_at: datetime, fraction: float
    ) -> datetime:
        """The point `fraction` (0..1) of the way from `start` to `due_at`.

        For service durations the fraction is of the service time (add_service_seconds of
        fraction * amount), so a warning never falls in closed hours; otherwise it is the
        fraction of the elapsed time between start and due.
        """
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be between 0 and 1, not {fraction}")
        if duration.kind == "service":
            return self.add_service_seconds(start, fraction * duration.amount)
        u = _us(start)
        return _utc(u + round(fraction * (_us(due_at) - u)))

    def _months_later(self, start: datetime, count: int) -> datetime:
        local = start.astimezone(self.zone)
        try:
            day = add_months(local.date(), count)
        except (ValueError, OverflowError):
            raise PolicyError("calendar: the date falls outside the years 1 to 9999") from None
        # The same wall time; one that a clock change skips or repeats is read as _instant reads
        # it (the change's moment, the first occurrence).
        minute = local.hour * 60 + local.minute
        return _utc(
            self._instant(day.toordinal(), minute) + local.second * _SECOND + local.microsecond
        )

    # -- the hot path -------------------------------------------------------------------------

    def _advance(self, u: int, amount: int) -> int:
        """The first instant at or after `u` by which `amount` µs of service time have passed.

        With amount 0 that is the first instant that is open; with amount > 0 it may be the end
        of an interval (the clock runs out as service closes).
        """
        days = self._days
        ordinal = u // _DAY + _EPOCH_ORDINAL - 2  # no local day before this can reach u
        idle = 0
        while True:
            spans, total = days.get(ordinal) or self._spans(ordinal)
            if spans and spans[-1][1] > u:
                idle = 0
                if spans[0][0] >= u and total < amount:
                    amount -= total  # the whole day counts: skip its intervals
                else:
                    for s, e in spans:
                        if e > u:
                            if s < u:
                                s = u
                            if amount <= e - s:
                                return s + amount
                            amount -= e - s
            else:
                idle += 1
                if idle > MAX_GAP_DAYS:
                    raise PolicyError(
                        f"calendar: no service hours in the {MAX_GAP_DAYS} days after "
                        f"{date.fromordinal(ordinal - MAX_GAP_DAYS).isoformat()}"
                    )
            ordinal += 1

    def _working_days_end(self, start: datetime, count: int) -> int:
        """Midnight at the close of the `count`th working day after the local day of `start`."""
        ordinal = start.astimezone(self.zone).toordinal()
        working, holidays = self.working_days, self._holiday_ordinals
        idle = 0
        while count > 0:
            ordinal += 1
            if (ordinal + 6) % 7 in working and ordinal not in holidays:
                count -= 1
                idle = 0
            else:
                idle += 1
                if idle > MAX_GAP_DAYS:
                    raise PolicyError(
                        f"calendar: no working day in the {MAX_GAP_DAYS} days after "
                        f"{date.fromordinal(ordinal - MAX_GAP_DAYS).isoformat()}"
                    )
        end = self._midnights.get(ordinal)
        if end is None:
            end = self._midnights[ordinal] = self._instant(ordinal, 1440)
        return end

    def _spans(self, ordinal: int) -> tuple[Spans, int]:
        """The service intervals of one local day as UTC microseconds, and their total; cached."""
        entry = self._days.get(ordinal)
        if entry is not None:
            return entry
        if not 1 < ordinal <= _LAST_ORDINAL:
            raise PolicyError("calendar: the date falls outside the years 1 to 9999")
        spans: list[tuple[int, int]] = []
        if ordinal not in self._holiday_ordinals:
            for a, b in self.hours[(ordinal + 6) % 7]:
                s, e = self._instant(ordinal, a), self._instant(ordinal, b)
                if s < e:  # an interval wholly inside a spring-forward gap holds no time
                    spans.append((s, e))
        entry = (tuple(spans), sum(e - s for s, e in spans))
        if len(self._days) >= _CACHE_DAYS:
            self._days.clear()
        self._days[ordinal] = entry
        return entry

    def _instant(self, ordinal: int, minute: int) -> int:
        """The first instant at which the local clock reads `minute` past midnight of that day,
        or later.

        A wall time that happens twice (clocks going back) maps to its first occurrence, as
        fold=0 does; one that never happens (clocks going forward) maps to the moment of the
        change, so every bound moves forward consistently and intervals keep their order.
        """
        wall = datetime.combine(date.fromordinal(ordinal), time()) + timedelta(minutes=minute)
        later = _us(wall.replace(tzinfo=self.zone))
        if self._wall(later) == wall:
            return later
        # In a gap, fold=1 reads the wall time with the offset after the change (an instant
        # before it) and fold=0 with the offset before (an instant after): bisect between.
        lo = _us(wall.replace(tzinfo=self.zone, fold=1)) // _SECOND
        hi = -(-later // _SECOND)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._wall(mid * _SECOND) >= wall:
                hi = mid
            else:
                lo = mid
        return hi * _SECOND

    def _wall(self, us: int) -> datetime:
        """The naive local wall-clock time at instant `us`."""
        return _utc(us).astimezone(self.zone).replace(tzinfo=None)


def add_months(day: date, count: int) -> date:
    """`day` moved on `count` calendar months, clamped to the end of a shorter month:
    2026-01-31 + 1 month is 2026-02-28; 2028-01-31 + 1 month is 2028-02-29."""
    index = day.year * 12 + day.month - 1 + count
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise ValueError(f"{day.isoformat()} + {count} months is outside the years 1 to 9999")
    # The first of the next month less one day is the last of this one (December: always 31).
    last = 31 if month == 12 else (date(year, month + 1, 1) - date(year, month, 1)).days
    return date(year, month, min(day.day, last))
