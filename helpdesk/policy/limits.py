"""Bounds on a policy document, checked before the TOML parser runs.

A policy document may come from anyone with the admin's publish form or a shell, so reading one
must take bounded time and memory and never end in a traceback. The standard library's TOML parser
recurses once per level of nested arrays and inline tables, so a few thousand `[` raise
RecursionError; `toml_depth` measures the nesting with one linear scan first (brackets inside
strings and comments are not nesting).
"""

from .errors import PolicyError

MAX_DOCUMENT_BYTES = 256 * 1024
# The format itself nests at most a handful of levels ([channels.email.priority.urgent]).
MAX_NESTING = 32
# No list in the format needs more: a day has a few service-hour intervals, a year a few dozen
# holidays, a policy a few escalation levels.
MAX_LIST_ENTRIES = 1000


def check_document_bounds(text: str) -> None:
    """Refuse a document too large or too deeply nested to read (PolicyError, one problem)."""
    size = len(text.encode("utf-8"))
    if size > MAX_DOCUMENT_BYTES:
        raise PolicyError(
            f"document: {size // 1024:,} KB is too large; a policy document is at most "
            f"{MAX_DOCUMENT_BYTES // 1024} KB"
        )
    if toml_depth(text) > MAX_NESTING:
        raise PolicyError(too_deep())


def too_deep() -> str:
    return f"document: arrays and inline tables nested deeper than {MAX_NESTING} levels"


def toml_depth(text: str) -> int:
    """The deepest nesting of `[`/`{` in TOML `text`, skipping strings and comments; linear time.

    An unterminated string ends at its line's end (the parser refuses it there anyway).
    """
    depth = deepest = 0
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            pos += 1
        elif char in "]}":
            depth = max(depth - 1, 0)
            pos += 1
        elif char == "#":
            pos = _line_end(text, pos)
        elif char in "\"'":
            pos = _string_end(text, pos)
        else:
            pos += 1
    return deepest


def _line_end(text: str, pos: int) -> int:
    newline = text.find("\n", pos)
    return len(text) if newline < 0 else newline


def _string_end(text: str, pos: int) -> int:
    """The position after the string opening at `pos`."""
    quote = text[pos]
    escapes = quote == '"'  # literal strings ('...') have no escapes
    if text.startswith(quote * 3, pos):
        close, start, limit = quote * 3, pos + 3, len(text)
    else:
        close, start, limit = quote, pos + 1, _line_end(text, pos)
    while True:
        found = text.find(close, start, limit)
        if found < 0:
            return limit
        if escapes and _escaped(text, found):
            start = found + 1
            continue
        after = found + len(close)
        # A multi-line string may end with one or two quotes of its own: """a""""
        while len(close) == 3 and after < len(text) and text[after] == quote and after - found < 5:
            after += 1
        return after


def _escaped(text: str, pos: int) -> bool:
    """Whether the character at `pos` follows an odd number of backslashes."""
    backslashes = 0
    while pos - backslashes - 1 >= 0 and text[pos - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
