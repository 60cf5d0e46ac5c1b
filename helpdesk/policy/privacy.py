"""The `[privacy]` and `[retention]` tables of a policy (POLICY.md, "Format version 2": Privacy).

Pure Python. `[privacy] mask` names the kinds of sensitive number masked before any channel
stores or shows text; left out, all of them are masked; an empty list masks nothing.
`[retention]` says how long, counted in elapsed days from a case's closing, each kind of data is
kept; a key left out keeps that data.
"""

from dataclasses import dataclass, fields
from typing import Any

from .durations import Duration, parse_duration
from .reader import TomlReader, show

# The kinds of number a policy may ask to mask (the detectors are in helpdesk/privacy/masking.py).
MASK_KINDS = ("card", "ssn", "nino", "driving_licence")


@dataclass(frozen=True)
class PrivacyPolicy:
    """What is masked: the kinds of `MASK_KINDS` named by `[privacy] mask`, in that order."""

    mask: tuple[str, ...] = MASK_KINDS


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of data is kept after its case closed; None: kept."""

    chat_transcripts: Duration | None = None
    raw_email: Duration | None = None
    secure_details: Duration | None = None
    closed_cases: Duration | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {f.name: _text(getattr(self, f.name)) for f in fields(self)}


PRIVACY_KEYS = tuple(f.name for f in fields(PrivacyPolicy))
RETENTION_KEYS = tuple(f.name for f in fields(RetentionPolicy))


def read_privacy(reader: TomlReader, t: dict[str, Any] | None) -> PrivacyPolicy:
    """The `[privacy]` table; each unknown or repeated kind is a problem `privacy.mask[i]: ...`."""
    if t is None:
        return PrivacyPolicy()
    reader.known(t, "privacy", PRIVACY_KEYS)
    names = reader.array(t, "mask", "privacy", default=list(MASK_KINDS))
    if names is None:
        return PrivacyPolicy()
    chosen: list[str] = []
    for i, name in enumerate(names):
        path = f"privacy.mask[{i}]"
        if name not in MASK_KINDS:
            reader.problem(path, f"{show(name)} is not a kind of number ({', '.join(MASK_KINDS)})")
        elif name in chosen:
            reader.problem(path, f'"{name}" is listed twice')
        else:
            chosen.append(name)
    return PrivacyPolicy(mask=tuple(k for k in MASK_KINDS if k in chosen))


def read_retention(reader: TomlReader, t: dict[str, Any] | None) -> RetentionPolicy:
    """The `[retention]` table: each value a number of elapsed days ("90d")."""
    if t is None:
        return RetentionPolicy()
    reader.known(t, "retention", RETENTION_KEYS)
    return RetentionPolicy(**{key: _days(reader, t, key) for key in RETENTION_KEYS})


def _days(reader: TomlReader, t: dict[str, Any], key: str) -> Duration | None:
    value = t.get(key)
    if value is None:
        return None
    path = f"retention.{key}"
    try:
        duration = parse_duration(value)
    except ValueError as exc:
        reader.problem(path, str(exc))
        return None
    if duration.kind != "calendar":
        # Retention runs on elapsed time: data is not kept longer because the desk was shut.
        what = "service time" if duration.kind == "service" else "working days"
        reader.problem(
            path, f'"{value}" is {what}; retention counts elapsed days from closing (e.g. "90d")'
        )
        return None
    return duration


def _text(duration: Duration | None) -> str | None:
    return None if duration is None else str(duration)
