"""Reading a policy document: TOML text in, a validated ServicePolicy out, or a PolicyError that
lists every problem at once, each as `key.path: message` (POLICY.md).

The rules enforced: the required keys are present; every value has its type; a key the format
does not know is an error (with a suggestion for a likely typo); durations, weekdays, dates, time
zones, service-hour intervals and the enumerations are well formed; and the calendar can serve the
durations set (service hours somewhere in the week for service time, a working day for "wd").
"""

import re
import string
import tomllib
from dataclasses import fields
from os import PathLike
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .calendar import WEEKDAYS, Calendar
from .durations import parse_duration
from .errors import PolicyError
from .limits import MAX_DOCUMENT_BYTES, MAX_LIST_ENTRIES, check_document_bounds, too_deep
from .model import (
    CHANNEL_TARGETS,
    CHANNELS,
    DEFAULT_GREETING,
    DEFAULT_QUESTION,
    GREETING_PLACEHOLDERS,
    NOTIFY,
    REVIEW,
    ChannelPolicy,
    ComplaintsPolicy,
    Document,
    EscalationLevel,
    ServicePolicy,
    SurveysPolicy,
)
from .privacy import read_privacy, read_retention
from .reader import TomlReader, show, too_many

_INTERVAL = re.compile(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})")
_CHAT_ONLY = ("wait_notice_after", "offer_message_after", "max_concurrent_per_agent", "greeting")
_KEYS = {  # the keys each table may hold, from the dataclasses they fill
    "": (
        "document",
        "calendar",
        "channels",
        "complaints",
        "escalation",
        "surveys",
        "privacy",
        "retention",
    ),
    "document": tuple(f.name for f in fields(Document)),
    "calendar": ("timezone", "working_days", "holidays", "hours"),
    "channel": tuple(f.name for f in fields(ChannelPolicy) if f.name not in _CHAT_ONLY),
    "complaints": tuple(f.name for f in fields(ComplaintsPolicy)),
    "escalation": tuple(f.name for f in fields(EscalationLevel)),
    "surveys": tuple(f.name for f in fields(SurveysPolicy)),
}


def parse_policy(text: str) -> ServicePolicy:
    """Parse and validate a policy document (TOML text); PolicyError names every problem.

    A TOML syntax error is one problem, `document: <the parser's message>`.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    check_document_bounds(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"document: {exc}") from None
    except RecursionError:  # the depth check above should make this unreachable
        raise PolicyError(too_deep()) from None
    return _Reader().policy(data)


def load_policy_file(path: str | PathLike[str]) -> ServicePolicy:
    """Read and parse the policy file at `path`; an unreadable file is `PATH: cannot read ...`."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_DOCUMENT_BYTES + 1)  # never more than the document may hold
        if len(raw) > MAX_DOCUMENT_BYTES:
            raise PolicyError(
                f"{path}: too large; a policy document is at most {MAX_DOCUMENT_BYTES // 1024} KB"
            )
        text = raw.decode("utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: cannot read (not UTF-8 text: {exc.reason})") from None
    return parse_policy(text)


class _Reader(TomlReader):
    """Reads the sections of the policy format."""

    def policy(self, data: dict[str, Any]) -> ServicePolicy:
        self.known(data, "", _KEYS[""])
        document = self.document(self.table(data, "document", required=True))
        calendar = self.calendar(self.table(data, "calendar", required=True))
        channels_table = self.table(data, "channels") or {}
        self.known(channels_table, "channels", CHANNELS)
        channels = {
            name: self.channel(self.table(channels_table, name, "channels"), name)
            for name in CHANNELS
            if name in channels_table
        }
        complaints_table = self.table(data, "complaints")
        complaints = None if complaints_table is None else self.complaints(complaints_table)
        escalation = self.escalation(data.get("escalation", []))
        surveys = self.surveys(self.table(data, "surveys") or {})
        privacy = read_privacy(self, self.table(data, "privacy"))
        retention = read_retention(self, self.table(data, "retention"))
        if calendar is not None:
            self.servable(calendar)
        if self.problems:
            raise PolicyError(self.problems)
        assert document is not None and calendar is not None
        return ServicePolicy(
            document=document,
            calendar=calendar,
            channels=channels,
            complaints=complaints,
            escalation=escalation,
            surveys=surveys,
            privacy=privacy,
            retention=retention,
        )

    def document(self, t: dict[str, Any] | None) -> Document | None:
        if t is None:
            return None
        self.known(t, "document", _KEYS["document"])
        p = "document."
        values = {
            "title": self.string(t, p + "title", required=True),
            "company": self.string(t, p + "company", required=True),
            "version": self.string(t, p + "version", required=True),
            "effective": self.date(t.get("effective"), p + "effective", required=True),
            "approved_by": self.string(t, p + "approved_by", required=True),
            "number": self.string(t, p + "number", default=""),
            "review_every_months": self.integer(t, p + "review_every_months", 12, minimum=1),
            "purpose": self.string(t, p + "purpose", default=""),
            "scope": self.string(t, p + "scope", default=""),
        }
        return None if None in values.values() else Document(**values)

    def calendar(self, t: dict[str, Any] | None) -> Calendar | None:
        if t is None:
            return None
        self.known(t, "calendar", _KEYS["calendar"])
        zone = self.string(t, "calendar.timezone", required=True)
        if zone is not None:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                self.problem("calendar.timezone", f'"{zone}" is not a known IANA time zone')
                zone = None
        days = self.weekdays(t)
        holidays = self.array(t, "holidays", "calendar", default=[]) or []
        holiday_dates = [self.date(v, f"calendar.holidays[{i}]") for i, v in enumerate(holidays)]
        hours = self.hours(self.table(t, "hours", "calendar", required=True))
        if zone is None or days is None or hours is None or None in holiday_dates:
            return None
        return Calendar(zone, days, frozenset(holiday_dates), hours)

    def weekdays(self, t: dict[str, Any]) -> frozenset[int] | None:
        names = self.array(t, "working_days", "calendar", required=True)
        if names is None:
            return None
        found: set[int] = set()
        before = len(self.problems)
        for i, name in enumerate(names):
            path = f"calendar.working_days[{i}]"
            if name not in WEEKDAYS:
                self.problem(path, f"{show(name)} is not a weekday ({', '.join(WEEKDAYS)})")
            elif WEEKDAYS.index(name) in found:
                self.problem(path, f'"{name}" is listed twice')
            else:
                found.add(WEEKDAYS.index(name))
        return frozenset(found) if len(self.problems) == before else None

    def hours(self, t: dict[str, Any] | None) -> tuple[tuple[tuple[int, int], ...], ...] | None:
        if t is None:
            return None
        self.known(t, "calendar.hours", WEEKDAYS)
        before = len(self.problems)
        week: list[tuple[tuple[int, int], ...]] = []
        for day in WEEKDAYS:
            path = f"calendar.hours.{day}"
            spans: list[tuple[int, int, str]] = []
            for i, text in enumerate(self.array(t, day, "calendar.hours", default=[]) or []):
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

    def channel(self, t: dict[str, Any] | None, name: str) -> ChannelPolicy | None:
        if t is None:
            return None
        p = f"channels.{name}"
        chat = name == "chat"
        if chat:
            self.known(t, p, _KEYS["channel"] + _CHAT_ONLY)
        else:
            self.known(t, p, _KEYS["channel"], ignore=_CHAT_ONLY)
            for key in t:
                if key in _CHAT_ONLY:
                    self.problem(f"{p}.{key}", "unknown key (only channels.chat has it)")
        values: dict[str, Any] = {k: self.duration(t, f"{p}.{k}") for k in CHANNEL_TARGETS}
        values["survey"] = self.boolean(t, f"{p}.survey", default=False)
        if chat:
            values["wait_notice_after"] = self.duration(t, f"{p}.wait_notice_after")
            values["offer_message_after"] = self.duration(t, f"{p}.offer_message_after")
            values["max_concurrent_per_agent"] = self.integer(
                t, f"{p}.max_concurrent_per_agent", 1, minimum=1
            )
            values["greeting"] = self.greeting(t, f"{p}.greeting")
        return ChannelPolicy(**values)

    def greeting(self, t: dict[str, Any], path: str) -> str | None:
        """A str.format template using only the GREETING_PLACEHOLDERS."""
        text = self.string(t, path, default=DEFAULT_GREETING)
        if text is None:
            return None
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            self.problem(path, f"not a valid template: {exc}")
            return None
        allowed = ", ".join("{%s}" % f for f in GREETING_PLACEHOLDERS)  # noqa: UP031
        for f in names:
            if f not in GREETING_PLACEHOLDERS:
                self.problem(path, f"unknown placeholder {{{f}}} (use {allowed})")
        return text

    def complaints(self, t: dict[str, Any]) -> ComplaintsPolicy:
        self.known(t, "complaints", _KEYS["complaints"])
        return ComplaintsPolicy(
            acknowledge=self.duration(t, "complaints.acknowledge"),
            resolution=self.duration(t, "complaints.resolution"),
            review=self.choice(t, "complaints.review", REVIEW, "weekly"),
            procedure=self.string(t, "complaints.procedure", default="") or "",
        )

    def escalation(self, levels: Any) -> tuple[EscalationLevel, ...]:
        if not isinstance(levels, list) or not all(isinstance(v, dict) for v in levels):
            self.problem("escalation", "must be an array of tables ([[escalation]])")
            return ()
        if len(levels) > MAX_LIST_ENTRIES:
            self.problem("escalation", too_many(levels))
            return ()
        result: list[EscalationLevel] = []
        for i, t in enumerate(levels):
            p = f"escalation[{i}]"
            self.known(t, p, _KEYS["escalation"])
            after = self.duration(t, f"{p}.after", required=True)
            notify = self.choice(t, f"{p}.notify", NOTIFY, None, required=True)
            if after is not None and notify is not None:
                # Levels are in order: a later level cannot come before an earlier one.
                earlier = [lv.after for lv in result if lv.after.kind == after.kind]
                if earlier and after.amount < max(d.amount for d in earlier):
                    self.problem(f"{p}.after", f'"{after}" comes before an earlier level')
                result.append(EscalationLevel(after=after, notify=notify))
        return tuple(result)

    def surveys(self, t: dict[str, Any]) -> SurveysPolicy:
        self.known(t, "surveys", _KEYS["surveys"])
        expires = self.duration(t, "surveys.expires_after") or parse_duration("7d")
        question = self.string(t, "surveys.question", default=DEFAULT_QUESTION) or ""
        scale = self.integer(t, "surveys.scale", 5, minimum=2) or 5
        below = self.integer(t, "surveys.follow_up_below", -(-scale // 2), minimum=1) or 1
        if below > scale:
            self.problem("surveys.follow_up_below", f"must be between 1 and the scale ({scale})")
        follow_up = self.duration(t, "surveys.follow_up")
        return SurveysPolicy(expires, question, scale, below, follow_up)

    def servable(self, calendar: Calendar) -> None:
        """The calendar must be able to bring every duration set to an end."""
        service = [p for p, d in self.durations if d.kind == "service"]
        if service and not any(calendar.hours):
            self.problem(
                "calendar.hours",
                f"no service hours on any day, but service-time durations are set: "
                f"{', '.join(service)}",
            )
        working = [p for p, d in self.durations if d.kind == "working_days" and d.amount]
        if working and not calendar.working_days:
            self.problem(
                "calendar.working_days",
                f"no working days, but working-day durations are set: {', '.join(working)}",
            )
