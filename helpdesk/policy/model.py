"""The parsed service policy as frozen dataclasses, and its targets (POLICY.md, "Sections").

Defaults for keys a policy leaves out (documented in config/service_policy.toml too):
a channel's targets are unset and `survey` is false; chat's `wait_notice_after` and
`offer_message_after` are unset, `max_concurrent_per_agent` is 1 (simultaneous chats off) and
`greeting` is DEFAULT_GREETING; complaints `review` is "weekly" and `procedure` is empty; there
are no escalation levels; surveys expire after "7d", ask DEFAULT_QUESTION on a 1..5 scale and
follow up scores below half the scale, rounded up (3 on the 5-point scale), and set no
`follow_up` target (the project's extension: no `surveys.follow_up` clock);
`review_every_months` is 12.

Format version 2 (POLICY.md): a channel's `[channels.C.priority.P]` and the complaints'
`[complaints.severity.S]` override targets for one priority or severity (a target the override
leaves out is the section's own); `[calendars.NAME]` are named calendars beside the default
`[calendar]`; `[channels.phone] answer` is the `phone.answer` target, in elapsed time; and
`document.review_every_months` is the `policy.review` target, N calendar months.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from .calendar import WEEKDAYS, Calendar, add_months
from .durations import Duration, months, parse_duration
from .errors import UnknownCalendar, UnknownLevel, UnknownTarget
from .privacy import PrivacyPolicy, RetentionPolicy

CHANNELS = ("chat", "email", "phone")
CHANNEL_TARGETS = ("acknowledge", "first_response", "resolution")
# Targets only one channel has (format version 2): a call is answered within `answer`.
CHANNEL_ONLY_TARGETS = {"phone": ("answer",)}
COMPLAINT_TARGETS = ("acknowledge", "resolution")
# The project's extension of the format (config/service_policy.toml): `[surveys] follow_up`.
SURVEY_TARGETS = ("follow_up",)
# Format version 2: the policy's own review, from `document.review_every_months`.
REVIEW_TARGET = "policy.review"
TARGETS: tuple[str, ...] = (
    (REVIEW_TARGET,)
    + tuple(f"{c}.{t}" for c in CHANNELS for t in CHANNEL_TARGETS + CHANNEL_ONLY_TARGETS.get(c, ()))
    + tuple(f"complaints.{t}" for t in COMPLAINT_TARGETS)
    + tuple(f"surveys.{t}" for t in SURVEY_TARGETS)
)
# A case's priority (tickets.models.Priority) and a complaint's severity
# (complaints.models.Severity): the P of `[channels.C.priority.P]`, the S of
# `[complaints.severity.S]`.
PRIORITIES = ("low", "normal", "high", "urgent")
SEVERITIES = ("low", "medium", "high", "critical")
NOTIFY = ("agent", "supervisor", "manager")
REVIEW = ("daily", "weekly", "monthly")
GREETING_PLACEHOLDERS = ("customer_name", "company")
DEFAULT_GREETING = "Hi {customer_name}, thanks for contacting {company}. How can I help you today?"
DEFAULT_QUESTION = "Did we answer your question today?"


@dataclass(frozen=True)
class Document:
    """The policy's own record: its title page, version control, approval and review cycle."""

    title: str
    company: str
    version: str
    effective: date
    approved_by: str
    number: str = ""
    review_every_months: int = 12
    purpose: str = ""
    scope: str = ""


@dataclass(frozen=True)
class Override:
    """The targets one priority (or complaint severity) sets in place of its section's own;
    None: the section's own target."""

    acknowledge: Duration | None = None
    first_response: Duration | None = None
    resolution: Duration | None = None
    answer: Duration | None = None

    def to_dict(self) -> dict[str, str]:
        """Only the targets it sets, as written."""
        return {k: str(v) for k, v in vars(self).items() if v is not None}


# (level, Override) pairs in the order of PRIORITIES or SEVERITIES: a tuple, so that a policy
# stays hashable and picklable.
Overrides = tuple[tuple[str, Override], ...]


@dataclass(frozen=True)
class ChannelPolicy:
    """One channel's targets; the chat-only settings are None on email and phone, `answer` is
    set on phone only (elapsed time), and `priority` holds `[channels.C.priority.P]`."""

    acknowledge: Duration | None = None
    first_response: Duration | None = None
    resolution: Duration | None = None
    survey: bool = False
    wait_notice_after: Duration | None = None
    offer_message_after: Duration | None = None
    max_concurrent_per_agent: int | None = None
    greeting: str | None = None
    answer: Duration | None = None
    priority: Overrides = ()


@dataclass(frozen=True)
class ComplaintsPolicy:
    acknowledge: Duration | None = None
    resolution: Duration | None = None
    review: str = "weekly"
    procedure: str = ""
    severity: Overrides = ()


@dataclass(frozen=True)
class EscalationLevel:
    """Who is told once a target has been missed for `after` (counted from the breach)."""

    after: Duration
    notify: str


@dataclass(frozen=True)
class SurveysPolicy:
    expires_after: Duration = field(default_factory=lambda: parse_duration("7d"))
    question: str = DEFAULT_QUESTION
    scale: int = 5
    follow_up_below: int = 3
    # The project's extension of the format: the `surveys.follow_up` target, within which a
    # supervisor follows up a poor answer. Unset: no such target.
    follow_up: Duration | None = None


@dataclass(frozen=True)
class ServicePolicy:
    """A validated policy: build one with parse_policy or load_policy_file.

    The API every channel uses (format version 2 adds the keyword arguments):
    - `target(name, *, priority=None, severity=None) -> Duration`
    - `targets(*, priority=None, severity=None) -> dict[str, Duration]`
    - `deadline(name, start, *, priority=None, severity=None, calendar=None) -> datetime`
    - `calendar_named(name) -> Calendar`, `calendar_names() -> tuple[str, ...]`
    - `review_due(start: date) -> date`
    `priority` (PRIORITIES) applies to the channels' targets (`chat.*`, `email.*`, `phone.*`),
    `severity` (SEVERITIES) to the complaints' (`complaints.*`); each is ignored for other
    targets, and a value the format does not know is UnknownLevel.
    """

    document: Document
    calendar: Calendar
    channels: Mapping[str, ChannelPolicy] = field(hash=False)
    complaints: ComplaintsPolicy | None = None
    escalation: tuple[EscalationLevel, ...] = ()
    surveys: SurveysPolicy = field(default_factory=SurveysPolicy)
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    # `[calendars.NAME]`, in the document's order; `calendar` stays the default.
    calendars: Mapping[str, Calendar] = field(default_factory=dict, hash=False)
    _targets: Mapping[str, Duration] = field(init=False, repr=False, compare=False, hash=False)
    _overrides: Mapping[tuple[str, str], Duration] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        # A read-only view of a private copy keeps the channels immutable, whatever was passed.
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))
        object.__setattr__(self, "calendars", MappingProxyType(dict(self.calendars)))
        # Computed once: deadline() looks a target up on every call.
        found: dict[str, Duration] = {}
        overrides: dict[tuple[str, str], Duration] = {}
        sections: dict[str, Any] = dict(self.channels)
        if self.complaints is not None:
            sections["complaints"] = self.complaints
        sections["surveys"] = self.surveys
        for name in TARGETS:
            section, key = name.split(".")
            value = getattr(sections.get(section), key, None)
            if value is not None:
                found[name] = value
            levels = getattr(sections.get(section), _LEVELS.get(section, ""), ())
            for level, override in levels:
                value = getattr(override, key, None)
                if value is not None:
                    overrides[name, level] = value
        object.__setattr__(self, "_targets", found)
        object.__setattr__(self, "_overrides", overrides)

    def __reduce__(self):
        # A mappingproxy cannot be pickled (Django's cache pickles): rebuild from plain dicts.
        values = {}
        for f in fields(self):
            if f.init:
                value = getattr(self, f.name)
                values[f.name] = dict(value) if isinstance(value, MappingProxyType) else value
        return (_rebuild, (type(self), values))

    def target(self, name: str, *, priority: str | None = None, severity: str | None = None):
        """The duration of target `name` ("chat.first_response"): for a case of `priority`
        (channel targets) or `severity` (complaint targets), that level's override when it sets
        one, else the section's own. UnknownTarget when the format has no such target or this
        policy does not set it (for that level); UnknownLevel for a priority or severity the
        format does not know. `policy.review` is `document.review_every_months` months."""
        level = _level(name, priority, severity)
        duration = self._overrides.get((name, level)) if level else None
        if duration is None:
            duration = self._targets.get(name)
        if duration is None:
            if name == REVIEW_TARGET:
                return months(self.document.review_every_months)
            reason = "not set in this policy" if name in TARGETS else ""
            raise UnknownTarget(name, self._targets, reason=reason)
        return duration

    def targets(
        self, *, priority: str | None = None, severity: str | None = None
    ) -> dict[str, Duration]:
        """Every target a case can run under this policy, in the order of TARGETS: for a case
        of `priority` / `severity`, with that level's overrides (which may set a target the
        section leaves out). `policy.review` is not a case's target: see `review_due`."""
        if priority is None and severity is None:
            return dict(self._targets)
        found: dict[str, Duration] = {}
        for name in TARGETS:
            level = _level(name, priority, severity)
            value = (self._overrides.get((name, level)) if level else None) or self._targets.get(
                name
            )
            if value is not None:
                found[name] = value
        return found

    def deadline(
        self,
        name: str,
        start: datetime,
        *,
        priority: str | None = None,
        severity: str | None = None,
        calendar: str | None = None,
    ) -> datetime:
        """The aware UTC due time of target `name` for a clock started at aware `start`, with
        the duration `target(name, priority=, severity=)` gives, on the calendar named
        `calendar` (None or "": the default `[calendar]`; UnknownCalendar for a name this
        policy does not define)."""
        if priority is None and severity is None:
            duration = self._targets.get(name) or self.target(name)  # raises UnknownTarget
        else:
            duration = self.target(name, priority=priority, severity=severity)
        on = self.calendar if not calendar else self.calendar_named(calendar)
        return on.due(duration, start)

    def calendar_named(self, name: str | None) -> Calendar:
        """The calendar `[calendars.NAME]`; None or "" is the default `[calendar]`.
        UnknownCalendar (a PolicyError) for a name this policy does not define."""
        if not name:
            return self.calendar
        found = self.calendars.get(name) if isinstance(name, str) else None
        if found is None:
            raise UnknownCalendar(str(name), self.calendars)
        return found

    def calendar_names(self) -> tuple[str, ...]:
        """The names of `[calendars.NAME]`, in the document's order (not the default's)."""
        return tuple(self.calendars)

    def review_due(self, start: date) -> date:
        """The date the policy's review (`policy.review`) is due: `review_every_months`
        calendar months after `start` (the version's effective date or its last recorded
        review), the day clamped to the month's end (2026-08-31 + 6 months is 2027-02-28).
        A datetime is read as its date. ValueError beyond the year 9999."""
        if isinstance(start, datetime):
            start = start.date()
        return add_months(start, self.document.review_every_months)

    def to_dict(self) -> dict[str, Any]:
        """The parsed policy as plain JSON types: dates in ISO form, durations as written, unset
        keys as None, service hours as "HH:MM-HH:MM" strings; a priority's or severity's
        override holds only the targets it sets; `calendars` holds the named calendars."""
        doc = self.document
        return {
            "document": {
                "title": doc.title,
                "company": doc.company,
                "number": doc.number,
                "version": doc.version,
                "effective": doc.effective.isoformat(),
                "approved_by": doc.approved_by,
                "review_every_months": doc.review_every_months,
                "purpose": doc.purpose,
                "scope": doc.scope,
            },
            "calendar": _calendar_dict(self.calendar),
            "calendars": {name: _calendar_dict(cal) for name, cal in self.calendars.items()},
            "channels": {name: _plain(policy) for name, policy in self.channels.items()},
            "complaints": None if self.complaints is None else _plain(self.complaints),
            "escalation": [_plain(level) for level in self.escalation],
            "surveys": _plain(self.surveys),
            "privacy": {"mask": list(self.privacy.mask)},
            "retention": self.retention.to_dict(),
        }


_LEVELS = {channel: "priority" for channel in CHANNELS} | {"complaints": "severity"}


def _level(name: str, priority: str | None, severity: str | None) -> str | None:
    """The override level that applies to target `name`: the priority for a channel's target,
    the severity for a complaint's; a level the format does not know is UnknownLevel."""
    if priority is not None and priority not in PRIORITIES:
        raise UnknownLevel("priority", priority, PRIORITIES)
    if severity is not None and severity not in SEVERITIES:
        raise UnknownLevel("severity", severity, SEVERITIES)
    section = name.partition(".")[0]
    if section == "complaints":
        return severity
    return priority if section in _LEVELS else None


def _rebuild(cls: type, values: dict[str, Any]):
    return cls(**values)


def _calendar_dict(cal: Calendar) -> dict[str, Any]:
    return {
        "timezone": cal.timezone,
        "working_days": [WEEKDAYS[d] for d in sorted(cal.working_days)],
        "holidays": [d.isoformat() for d in sorted(cal.holidays)],
        "hours": {
            WEEKDAYS[d]: [f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans]
            for d, spans in enumerate(cal.hours)
            if spans
        },
    }


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _plain(obj: Any) -> dict[str, Any]:
    """A flat dataclass as a dict, durations as their text, overrides as {level: targets}."""
    return {
        name: str(value)
        if isinstance(value, Duration)
        else {level: o.to_dict() for level, o in value}
        if name in ("priority", "severity")
        else value
        for name, value in vars(obj).items()
    }
