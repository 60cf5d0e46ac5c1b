"""Text as PostgreSQL can store it. A text column refuses NUL, and UTF-8 has no lone surrogates
(which Python's decoders leave in text, from raw 8-bit header bytes or a UTF-7 part): one such
character in a Subject once made even the failed record of an email impossible to save."""

import re

_SURROGATES = re.compile("[\ud800-\udfff]")


def storable(value: str) -> str:
    """`value` with NUL removed and lone surrogates replaced by U+FFFD."""
    if not value:
        return value
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = _SURROGATES.sub("\ufffd", value)
    return value
