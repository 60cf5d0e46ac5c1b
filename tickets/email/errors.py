"""The one error of reading email in."""


class EmailParseError(ValueError):
    """The bytes are not an email the desk can read; the message says why, in one line."""
