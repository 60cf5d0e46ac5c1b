"""Reading values out of parsed TOML by key path, recording a problem for each bad one.

Each reader returns a usable value, or None (or the default) after recording the problem as
`key.path: message`, so that one pass finds every problem in a document.
"""

import difflib
import re
from datetime import date, datetime, time
from typing import Any

from .durations import Duration, parse_duration
from .limits import MAX_LIST_ENTRIES

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TYPE_NAMES = {  # bool before int, datetime before date: each is a subclass of the latter
    bool: "a boolean",
    int: "an integer",
    float: "a float",
    str: "a string",
    dict: "a table",
    list: "an array",
    datetime: "a date-time",
    date: "a date",
    time: "a time",
}


class TomlReader:
    """Collects problems; remembers every duration read, with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.durations: list[tuple[str, Duration]] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def known(self, t: dict[str, Any], path: str, allowed: tuple[str, ...], ignore=()) -> None:
        """Every key of table `t` must be one the format knows."""
        for key in t:
            if key in allowed or key in ignore:
                continue
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            self.problem(join(path, key), f"unknown key{hint}")

    def table(self, t: dict[str, Any], key: str, path: str = "", required: bool = False):
        value = t.get(key)
        if value is None:
            if required:
                self.problem(join(path, key), "required")
            return None
        if not isinstance(value, dict):
            self.problem(join(path, key), f"must be a table, not {_type_name(value)}")
            return None
        return value

    def array(self, t, key: str, path: str, required: bool = False, default=None):
        value = t.get(key, default)
        if value is None:
            if required:
                self.problem(join(path, key), "required")
            return None
        if not isinstance(value, list):
            self.problem(join(path, key), f"must be an array, not {_type_name(value)}")
            return None
        if len(value) > MAX_LIST_ENTRIES:
            self.problem(join(path, key), too_many(value))
            return None
        return value

    def string(self, t, path: str, *, required: bool = False, default: str | None = None):
        value = t.get(path.rpartition(".")[2])
        if value is None:
            if required:
                self.problem(path, "required")
            return default
        if not isinstance(value, str):
            self.problem(path, f"must be a string, not {_type_name(value)}")
            return None
        if required and not value.strip():
            self.problem(path, "must not be empty")
            return None
        return value

    def integer(self, t, path: str, default: int, *, minimum: int) -> int | None:
        value = t.get(path.rpartition(".")[2], default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"must be an integer, not {_type_name(value)}")
            return None
        if value < minimum:
            self.problem(path, f"must be at least {minimum}")
            return None
        return value

    def boolean(self, t, path: str, *, default: bool) -> bool:
        value = t.get(path.rpartition(".")[2], default)
        if not isinstance(value, bool):
            self.problem(path, f"must be true or false, not {_type_name(value)}")
            return default
        return value

    def choice(self, t, path: str, choices: tuple[str, ...], default, *, required=False):
        value = t.get(path.rpartition(".")[2])
        if value is None:
            if required:
                self.problem(path, "required")
            return default
        if value not in choices:
            self.problem(path, f"{show(value)} is not one of {', '.join(choices)}")
            return None
        return value

    def duration(self, t, path: str, *, required: bool = False) -> Duration | None:
        value = t.get(path.rpartition(".")[2])
        if value is None:
            if required:
                self.problem(path, "required")
            return None
        try:
            duration = parse_duration(value)
        except ValueError as exc:
            self.problem(path, str(exc))
            return None
        self.durations.append((path, duration))
        return duration

    def date(self, value: Any, path: str, *, required: bool = False) -> date | None:
        """A TOML date or a "YYYY-MM-DD" string (not a date-time)."""
        if value is None:
            if required:
                self.problem(path, "required")
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(path, f"{show(value)} is not a date (YYYY-MM-DD)")
        return None


def too_many(entries: list) -> str:
    """Checked before any entry is: a list of 50,000 bad entries is one problem, not 50,000."""
    return f"{len(entries):,} entries; at most {MAX_LIST_ENTRIES:,} are allowed"


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, date | time):
        return value.isoformat()
    return repr(value)


def _type_name(value: Any) -> str:
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__
