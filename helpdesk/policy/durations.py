"""Durations as a policy writes them: service time, calendar days or working days."""

import re
from dataclasses import dataclass
from typing import Literal

# "months" is never written in a document: it is the kind of the `policy.review` target, made
# from `document.review_every_months` (calendar months, the day clamped to the month's end).
DurationKind = Literal["service", "calendar", "working_days", "months"]

# Units, longest first so that "wd" wins over "d" in the pattern.
_UNITS: dict[str, tuple[DurationKind, int]] = {
    "wd": ("working_days", 1),
    "s": ("service", 1),
    "m": ("service", 60),
    "h": ("service", 3600),
    "d": ("calendar", 86_400),
}
_PATTERN = re.compile(r"([0-9]{1,15})(wd|s|m|h|d)")

# A bound far beyond any sensible target; it keeps the arithmetic inside datetime's range.
MAX_DAYS = 3660
_MAX_AMOUNT: dict[str, int] = {
    "service": MAX_DAYS * 86_400,
    "calendar": MAX_DAYS * 86_400,
    "working_days": MAX_DAYS,
}


@dataclass(frozen=True, slots=True)
class Duration:
    """A parsed duration.

    `amount` is in seconds for service and calendar durations ("7d" is calendar, 7 * 86400) and in
    days for working-day durations, in months for "months" (the `policy.review` target only);
    `text` is the duration as written (for months, "12 months").
    """

    kind: DurationKind
    amount: int
    text: str

    def __str__(self) -> str:
        return self.text


def parse_duration(text: str) -> Duration:
    """Parse "90s", "30m", "8h" (service time), "7d" (calendar days) or "2wd" (working days).

    The amount is a whole number, 0 or more, written without spaces or sign; anything else raises
    `ValueError('"60 seconds" is not a duration')`. An amount beyond about ten years is refused.
    """
    match = _PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        shown = f'"{text}"' if isinstance(text, str) else repr(text)
        raise ValueError(f"{shown} is not a duration")
    kind, unit = _UNITS[match.group(2)]
    amount = int(match.group(1)) * unit
    if amount > _MAX_AMOUNT[kind]:
        raise ValueError(f'"{text}" is too long (at most {MAX_DAYS} days)')
    return Duration(kind=kind, amount=amount, text=text)


def months(count: int) -> Duration:
    """The duration of `count` calendar months (the `policy.review` target): "12 months"."""
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError(f"{count!r} is not a number of months")
    return Duration(kind="months", amount=count, text=f"{count} month{'' if count == 1 else 's'}")
