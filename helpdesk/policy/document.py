"""Reading a policy document: TOML text in, a validated ServicePolicy out, or a PolicyError that
lists every problem at once, each as `key.path: message` (POLICY.md).

The rules enforced: the required keys are present; every value has its type; a key the format
does not know is an error (with a suggestion for a likely typo); durations, weekdays, dates, time
zones, service-hour intervals and the enumerations are well formed; and the calendar can serve the
durations set (service hours somewhere in the week for service time, a working day for "wd").
"""

import string
import tomllib
from collections.abc import Iterable
from dataclasses import fields
from os import PathLike
from typing import Any

from .durations import Duration, parse_duration
from .errors import PolicyError
from .keepers import UNKEPT
from .limits import MAX_DOCUMENT_BYTES, MAX_LIST_ENTRIES, check_document_bounds, too_deep
from .model import (
    CHANNEL_ONLY_TARGETS,
    CHANNEL_TARGETS,
    CHANNELS,
    COMPLAINT_TARGETS,
    DEFAULT_GREETING,
    DEFAULT_QUESTION,
    GREETING_PLACEHOLDERS,
    NOTIFY,
    PRIORITIES,
    REVIEW,
    SEVERITIES,
    ChannelPolicy,
    ComplaintsPolicy,
    Document,
    EscalationLevel,
    Override,
    Overrides,
    ServicePolicy,
    SurveysPolicy,
)
from .privacy import PRIVACY_KEYS, RETENTION_KEYS, read_privacy, read_retention
from .read_calendar import CALENDAR_KEYS, CalendarReader
from .reader import show, too_many

_CHAT_ONLY = ("wait_notice_after", "offer_message_after", "max_concurrent_per_agent", "greeting")
# Keys that one channel only has: the others refuse them, naming the channel that has them.
_ONLY_ON = {key: "chat" for key in _CHAT_ONLY} | {
    key: channel for channel, keys in CHANNEL_ONLY_TARGETS.items() for key in keys
}
_ONLY_TARGETS = tuple(k for keys in CHANNEL_ONLY_TARGETS.values() for k in keys)
_KEYS = {  # the keys each table may hold, from the dataclasses they fill
    "": (
        "document",
        "calendar",
        "calendars",
        "channels",
        "complaints",
        "escalation",
        "surveys",
        "privacy",
        "retention",
    ),
    "document": tuple(f.name for f in fields(Document)),
    "calendar": CALENDAR_KEYS,
    "channel": tuple(f.name for f in fields(ChannelPolicy) if f.name not in _ONLY_ON),
    "complaints": tuple(f.name for f in fields(ComplaintsPolicy)),
    "escalation": tuple(f.name for f in fields(EscalationLevel)),
    "surveys": tuple(f.name for f in fields(SurveysPolicy)),
    "privacy": PRIVACY_KEYS,
    "retention": RETENTION_KEYS,
}
# Tables within a section that hold keys of their own, not values.
_SUBTABLES = {"channel": ("priority",), "complaints": ("severity",), "calendar": ("hours",)}


def accepted_keys() -> tuple[str, ...]:
    """Every key path the format accepts, from the reader's own tables: a name a document
    chooses is `*` (`calendars.*.timezone`, `channels.email.priority.*.first_response`), an
    array of tables is `[]` (`escalation[].after`); a calendar's `hours` is one key.

    helpdesk/policy/keepers.py names the service that keeps each; a test holds them together.
    """
    found: list[str] = []
    for section in _KEYS[""]:
        if section == "channels":
            for channel in CHANNELS:
                p = f"channels.{channel}"
                own = tuple(k for k, c in _ONLY_ON.items() if c == channel)
                for key in _KEYS["channel"] + own:
                    if key not in _SUBTABLES["channel"]:
                        found.append(f"{p}.{key}")
                found += [f"{p}.priority.*.{t}" for t in _channel_targets(channel)]
        elif section == "complaints":
            for key in _KEYS["complaints"]:
                if key not in _SUBTABLES["complaints"]:
                    found.append(f"complaints.{key}")
            found += [f"complaints.severity.*.{t}" for t in COMPLAINT_TARGETS]
        elif section == "calendars":
            found += [f"calendars.*.{key}" for key in _KEYS["calendar"]]
        elif section == "escalation":
            found += [f"escalation[].{key}" for key in _KEYS["escalation"]]
        elif section in _KEYS:
            found += [f"{section}.{key}" for key in _KEYS[section]]
        else:  # a new section must say here which keys it has
            raise LookupError(f"accepted_keys() does not know the section [{section}]")
    return tuple(found)


def parse_policy(text: str, *, kept_only: bool = False) -> ServicePolicy:
    """Parse and validate a policy document (TOML text); PolicyError names every problem.

    A TOML syntax error is one problem, `document: <the parser's message>`. With `kept_only`
    (checking or publishing a new version), a key of the format that no service keeps yet
    (helpdesk/policy/keepers.py) is a problem too; a version already published is read without
    it, so that its cases keep their deadlines whatever the code keeps today.
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
    return _Reader(kept_only=kept_only).policy(data)


def load_policy_file(path: str | PathLike[str], *, kept_only: bool = False) -> ServicePolicy:
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
    return parse_policy(text, kept_only=kept_only)


class _Reader(CalendarReader):
    """Reads the sections of the policy format."""

    def __init__(self, *, kept_only: bool = False) -> None:
        super().__init__()
        self.kept_only = kept_only

    def policy(self, data: dict[str, Any]) -> ServicePolicy:
        self.known(data, "", _KEYS[""])
        document = self.document(self.table(data, "document", required=True))
        calendar = self.calendar(self.table(data, "calendar", required=True))
        calendars = self.calendars(self.table(data, "calendars"))
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
        for name, named in calendars.items():
            self.servable(named, f"calendars.{name}")
        if self.kept_only:
            for key in unkept_keys(data):
                self.problem(key, "no service keeps this key yet; leave it out")
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
            calendars=calendars,
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

    def channel(self, t: dict[str, Any] | None, name: str) -> ChannelPolicy | None:
        if t is None:
            return None
        p = f"channels.{name}"
        own = tuple(k for k, channel in _ONLY_ON.items() if channel == name)
        self.known(t, p, _KEYS["channel"] + own, ignore=tuple(_ONLY_ON))
        for key in t:
            if key in _ONLY_ON and key not in own:
                self.problem(f"{p}.{key}", f"unknown key (only channels.{_ONLY_ON[key]} has it)")
        targets = _channel_targets(name)
        values: dict[str, Any] = {k: self.target(t, f"{p}.{k}") for k in targets}
        values["survey"] = self.boolean(t, f"{p}.survey", default=False)
        if name == "chat":
            values["wait_notice_after"] = self.duration(t, f"{p}.wait_notice_after")
            values["offer_message_after"] = self.duration(t, f"{p}.offer_message_after")
            values["max_concurrent_per_agent"] = self.integer(
                t, f"{p}.max_concurrent_per_agent", 1, minimum=1
            )
            values["greeting"] = self.greeting(t, f"{p}.greeting")
        values["priority"] = self.overrides(t, p, "priority", PRIORITIES, targets)
        return ChannelPolicy(**values)

    def target(self, t: dict[str, Any], path: str) -> Duration | None:
        """A target's duration; `answer` (a call rings now) is elapsed time, not service time."""
        if not path.endswith(".answer"):
            return self.duration(t, path)
        duration = self.duration(t, path)
        if duration is None:
            return None
        self.durations.pop()  # not service time: no service hours are needed to end it
        if duration.kind == "working_days":
            self.problem(
                path,
                f'"{duration}" is working days; a call is answered in elapsed time '
                '(e.g. "20s", "2m")',
            )
            return None
        elapsed = Duration(kind="calendar", amount=duration.amount, text=duration.text)
        self.durations.append((path, elapsed))
        return elapsed

    def overrides(
        self, t: dict[str, Any], p: str, key: str, levels: tuple[str, ...], targets: tuple
    ) -> Overrides:
        """`[P.key.LEVEL]` tables (a priority's or severity's targets), in the order of
        `levels`; an unknown level or key is a problem."""
        table = self.table(t, key, p) or {}
        kind = "a priority" if key == "priority" else "a severity"
        for level in table:
            if level not in levels:
                self.problem(
                    f"{p}.{key}.{level}", f"{show(level)} is not {kind} ({', '.join(levels)})"
                )
        found: list[tuple[str, Override]] = []
        for level in levels:
            path = f"{p}.{key}.{level}"
            lt = self.table(table, level, f"{p}.{key}")
            if lt is None:
                continue
            only = tuple(k for k in _ONLY_TARGETS if k not in targets)
            self.known(lt, path, targets, ignore=only)
            for k in only:
                if k in lt:
                    self.problem(f"{path}.{k}", f"unknown key (only channels.{_ONLY_ON[k]} has it)")
            values = {k: self.target(lt, f"{path}.{k}") for k in targets}
            found.append((level, Override(**values)))
        return tuple(found)

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
            severity=self.overrides(t, "complaints", "severity", SEVERITIES, COMPLAINT_TARGETS),
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


def unkept_keys(data: dict[str, Any], unkept: Iterable[str] = UNKEPT) -> list[str]:
    """The keys of parsed TOML `data` that match a pattern of `unkept` (the notation of
    `accepted_keys`), in the patterns' order."""
    found: list[str] = []
    for pattern in unkept:
        found += _matches(data, pattern.split("."), "")
    return found


def _matches(value: Any, segments: list[str], path: str) -> list[str]:
    if not segments:
        return [path]
    head, rest = segments[0], segments[1:]
    key, array = head.removesuffix("[]"), head.endswith("[]")
    if not isinstance(value, dict):
        return []
    keys = list(value) if key == "*" else [key] if key in value else []
    found: list[str] = []
    for k in keys:
        inner = value[k]
        here = f"{path}.{k}" if path else k
        if array:
            for i, entry in enumerate(inner if isinstance(inner, list) else []):
                found += _matches(entry, rest, f"{here}[{i}]")
        else:
            found += _matches(inner, rest, here)
    return found


def _channel_targets(channel: str) -> tuple[str, ...]:
    return CHANNEL_TARGETS + CHANNEL_ONLY_TARGETS.get(channel, ())
