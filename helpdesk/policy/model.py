"""The parsed service policy as frozen dataclasses, and its targets (POLICY.md, "Sections").

Defaults for keys a policy leaves out (documented in config/service_policy.toml too):
a channel's targets are unset and `survey` is false; chat's `wait_notice_after` and
`offer_message_after` are unset, `max_concurrent_per_agent` is 1 (simultaneous chats off) and
`greeting` is DEFAULT_GREETING; complaints `review` is "weekly" and `procedure` is empty; there
are no escalation levels; surveys expire after "7d", ask DEFAULT_QUESTION on a 1..5 scale and
follow up scores below half the scale, rounded up (3 on the 5-point scale), and set no
`follow_up` target (the project's extension: no `surveys.follow_up` clock);
`review_every_months` is 12.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

from .calendar import WEEKDAYS, Calendar
from .durations import Duration, parse_duration
from .errors import UnknownTarget
from .privacy import PrivacyPolicy, RetentionPolicy

CHANNELS = ("chat", "email", "phone")
CHANNEL_TARGETS = ("acknowledge", "first_response", "resolution")
COMPLAINT_TARGETS = ("acknowledge", "resolution")
# The project's extension of the format (config/service_policy.toml): `[surveys] follow_up`.
SURVEY_TARGETS = ("follow_up",)
TARGETS: tuple[str, ...] = (
    tuple(f"{c}.{t}" for c in CHANNELS for t in CHANNEL_TARGETS)
    + tuple(f"complaints.{t}" for t in COMPLAINT_TARGETS)
    + tuple(f"surveys.{t}" for t in SURVEY_TARGETS)
)
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
class ChannelPolicy:
    """One channel's targets; the chat-only settings are None on email and phone."""

    acknowledge: Duration | None = None
    first_response: Duration | None = None
    resolution: Duration | None = None
    survey: bool = False
    wait_notice_after: Duration | None = None
    offer_message_after: Duration | None = None
    max_concurrent_per_agent: int | None = None
    greeting: str | None = None


@dataclass(frozen=True)
class ComplaintsPolicy:
    acknowledge: Duration | None = None
    resolution: Duration | None = None
    review: str = "weekly"
    procedure: str = ""


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
    """A validated policy: build one with parse_policy or load_policy_file."""

    document: Document
    calendar: Calendar
    channels: Mapping[str, ChannelPolicy] = field(hash=False)
    complaints: ComplaintsPolicy | None = None
    escalation: tuple[EscalationLevel, ...] = ()
    surveys: SurveysPolicy = field(default_factory=SurveysPolicy)
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    _targets: Mapping[str, Duration] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        # A read-only view of a private copy keeps the channels immutable, whatever was passed.
        object.__setattr__(self, "channels", MappingProxyType(dict(self.channels)))
        # Computed once: deadline() looks a target up on every call.
        found: dict[str, Duration] = {}
        sections: dict[str, Any] = dict(self.channels)
        if self.complaints is not None:
            sections["complaints"] = self.complaints
        sections["surveys"] = self.surveys
        for name in TARGETS:
            section, key = name.split(".")
            value = getattr(sections.get(section), key, None)
            if value is not None:
                found[name] = value
        object.__setattr__(self, "_targets", found)

    def __reduce__(self):
        # A mappingproxy cannot be pickled (Django's cache pickles): rebuild from a plain dict.
        fields = (self.document, self.calendar, dict(self.channels), self.complaints)
        return (
            type(self),
            (*fields, self.escalation, self.surveys, self.privacy, self.retention),
        )

    def target(self, name: str) -> Duration:
        """The duration of target `name` ("chat.first_response"); UnknownTarget when the format
        has no such target or this policy does not set it."""
        duration = self._targets.get(name)
        if duration is None:
            reason = "not set in this policy" if name in TARGETS else ""
            raise UnknownTarget(name, self._targets, reason=reason)
        return duration

    def targets(self) -> dict[str, Duration]:
        """Every target this policy sets, in the order of TARGETS."""
        return dict(self._targets)

    def deadline(self, name: str, start: datetime) -> datetime:
        """The aware UTC due time of target `name` for a clock started at aware `start`."""
        duration = self._targets.get(name)
        if duration is None:
            duration = self.target(name)  # raises UnknownTarget
        return self.calendar.due(duration, start)

    def to_dict(self) -> dict[str, Any]:
        """The parsed policy as plain JSON types: dates in ISO form, durations as written, unset
        keys as None, service hours as "HH:MM-HH:MM" strings."""
        doc = self.document
        cal = self.calendar
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
            "calendar": {
                "timezone": cal.timezone,
                "working_days": [WEEKDAYS[d] for d in sorted(cal.working_days)],
                "holidays": [d.isoformat() for d in sorted(cal.holidays)],
                "hours": {
                    WEEKDAYS[d]: [f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans]
                    for d, spans in enumerate(cal.hours)
                    if spans
                },
            },
            "channels": {name: _plain(policy) for name, policy in self.channels.items()},
            "complaints": None if self.complaints is None else _plain(self.complaints),
            "escalation": [_plain(level) for level in self.escalation],
            "surveys": _plain(self.surveys),
            "privacy": {"mask": list(self.privacy.mask)},
            "retention": self.retention.to_dict(),
        }


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _plain(obj: Any) -> dict[str, Any]:
    """A flat dataclass as a dict, durations as their text."""
    return {
        name: str(value) if isinstance(value, Duration) else value
        for name, value in vars(obj).items()
    }
