"""Reading calendars: the default `[calendar]` and the named `[calendars.NAME]` (format version 2),
each with the same keys; problems are `calendar.KEY: ...` or `calendars.NAME.KEY: ...`."""

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .calendar import WEEKDAYS, Calendar
from .limits import MAX_LIST_ENTRIES
from .reader import TomlReader, show, too_many

CALENDAR_KEYS = ("timezone", "working_days", "holidays", "hours")
# A team stores the name of the calendar it works to: short, and safe in a URL or a form.
CALENDAR_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,49}")
_INTERVAL = re.compile(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})")


class CalendarReader(TomlReader):
    def calendar(self, t: dict[str, Any] | None, p: str = "calendar") -> Calendar | None:
        if t is None:
            return None
        self.known(t, p, CALENDAR_KEYS)
        zone = self.string(t, f"{p}.timezone", required=True)
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                self.problem(f"{p}.timezone", f'"{zone}" is not a known IANA time zone')
                zone = None
        days = self.weekdays(t, p)
        holidays = self.array(t, "holidays", p, default=[]) or []
        holiday_dates = [self.date(v, f"{p}.holidays[{i}]") for i, v in enumerate(holidays)]
        hours = self.hours(self.table(t, "hours", p, required=True), f"{p}.hours")
        if zone is None or days is None or hours is None or None in holiday_dates:
            return None
        return Calendar(zone, days, frozenset(holiday_dates), hours)

    def calendars(self, t: dict[str, Any] | None) -> dict[str, Calendar]:
        """`[calendars.NAME]`: each NAME slug-like (CALENDAR_NAME), each table a calendar."""
        if not t:
            return {}
        if len(t) > MAX_LIST_ENTRIES:
            self.problem("calendars", too_many(list(t)))
            return {}
        found: dict[str, Calendar] = {}
        for name in t:
            path = f"calendars.{name}"
            if not CALENDAR_NAME.fullmatch(name):
                self.problem(
                    path,
                    f"{show(name)} is not a calendar name (lower-case letters, digits, "
                    '"-" and "_", starting with a letter or digit, at most 50)',
                )
                continue
            calendar = self.calendar(self.table(t, name, "calendars"), path)
            if calendar is not None:
                found[name] = calendar
        return found

    def weekdays(self, t: dict[str, Any], p: str) -> frozenset[int] | None:
        names = self.array(t, "working_days", p, required=True)
        if names is None:
            return None
        found: set[int] = set()
        before = len(self.problems)
        for i, name in enumerate(names):
            path = f"{p}.working_days[{i}]"
            if name not in WEEKDAYS:
                self.problem(path, f"{show(name)} is not a weekday ({', '.join(WEEKDAYS)})")
            elif WEEKDAYS.index(name) in found:
                self.problem(path, f'"{name}" is listed twice')
            else:
                found.add(WEEKDAYS.index(name))
        return frozenset(found) if len(self.problems) == before else None

    def hours(
        self, t: dict[str, Any] | None, p: str
    ) -> tuple[tuple[tuple[int, int], ...], ...] | None:
        if t is None:
            return None
        self.known(t, p, WEEKDAYS)
        before = len(self.problems)
        week: list[tuple[tuple[int, int], ...]] = []
        for day in WEEKDAYS:
            path = f"{p}.{day}"
            spans: list[tuple[int, int, str]] = []
            for i, text in enumerate(self.array(t, day, p, default=[]) or []):
                span = self.interval(text, f"{path}[{i}]")
                if span is not None:
                    spans.append((*span, text))
            spans.sort()
            for (_, end, first), (start, _, second) in zip(spans, spans[1:], strict=False):
                if start < end:
                    self.problem(path, f'"{first}" and "{second}" overlap')
            week.append(tuple((a, b) for a, b, _ in spans))
        return tuple(week) if len(self.problems) == before else None

    def interval(self, text: Any, path: str) -> tuple[int, int] | None:
        """An "HH:MM-HH:MM" interval as minutes; 24:00 only as an end; start before end."""
        match = _INTERVAL.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            self.problem(path, f'{show(text)} is not an interval "HH:MM-HH:MM"')
            return None
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            self.problem(path, f'"{text}" is not an interval of times of day (00:00 to 24:00)')
            return None
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start >= end:
            self.problem(
                path, f'"{text}": the start must come before the end (split it at midnight)'
            )
            return None
        return start, end

    def servable(self, calendar: Calendar, p: str = "calendar") -> None:
        """The calendar must be able to bring every duration set to an end."""
        service = [path for path, d in self.durations if d.kind == "service"]
        if service and not any(calendar.hours):
            self.problem(
                f"{p}.hours",
                f"no service hours on any day, but service-time durations are set: "
                f"{', '.join(service)}",
            )
        working = [path for path, d in self.durations if d.kind == "working_days" and d.amount]
        if working and not calendar.working_days:
            self.problem(
                f"{p}.working_days",
                f"no working days, but working-day durations are set: {', '.join(working)}",
            )
