"""JSON from outsiders, parsed with bounded nesting.

The standard library's parser recurses once per level, so a body of a few thousand `[` raises
RecursionError deep inside a view (a 500). Every JSON an outsider sends (public chat endpoints,
API writes, socket frames) is read through `loads`, which refuses nesting deeper than
`MAX_JSON_DEPTH` with an ordinary `ValueError` before the parser runs.
"""

import json
import re

MAX_JSON_DEPTH = 32

# A JSON string (with its escapes): brackets inside strings are not nesting.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class JsonTooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text` (0 for a scalar), without parsing."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def loads(data: str | bytes | bytearray, *, max_depth: int = MAX_JSON_DEPTH):
    """`json.loads` that refuses documents nested deeper than `max_depth` (JsonTooDeep, a
    ValueError) and bytes that are not UTF-8 (ValueError), so callers need one `except`."""
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ValueError("The body is not UTF-8.") from error
    if json_depth(data) > max_depth:
        raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels is refused.")
    return json.loads(data)
