"""The tickets app's settings, with their defaults in one place.

Each can be set in the Django settings (config/settings/base.py reads them from the environment):

| setting | default | meaning |
| --- | --- | --- |
| TICKETS_MAX_ATTACHMENT_BYTES | 10 MB | a larger attachment is not kept (the message says so) |
| TICKETS_MAX_EMAIL_BYTES | 50 MB | a larger email is kept raw and marked failed, not parsed |
| TICKETS_MAX_HEADER_BYTES | 64 KB | an email with a longer header field (folded lines included) is kept failed, not parsed |
| TICKETS_MAX_HEADERS_BYTES | 256 KB | the same for all header blocks of an email and its parts together |
| TICKETS_MAX_ENCODED_WORDS | 1000 | the same for more RFC 2047 encoded words (`=?...?=`) in its headers |
| TICKETS_MAX_MIME_PARTS | 1000 | the same for more MIME parts (nested messages included) |
| TICKETS_MAX_MIME_DEPTH | 20 | the same for parts nested deeper |
| TICKETS_MAX_RECORDING_BYTES | 20 MB | a larger voicemail recording is not kept (the voicemail says so) |
| TICKETS_REPLY_TO_CLOSED | "reopen" | a customer's reply to a closed ticket reopens it ("reopen") or opens a new ticket linked to it ("new") |
| TICKETS_FROM_EMAIL | DEFAULT_FROM_EMAIL | the sender of every ticket email |
| TICKETS_MESSAGE_ID_DOMAIN | the domain of TICKETS_FROM_EMAIL | the right-hand side of our Message-IDs |
"""  # noqa: E501

from email.utils import parseaddr

from django.conf import settings

from .email.limits import EmailLimits

REOPEN = "reopen"
NEW_LINKED = "new"

_DEFAULTS = {
    "TICKETS_MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "TICKETS_MAX_EMAIL_BYTES": 50 * 1024 * 1024,
    "TICKETS_MAX_RECORDING_BYTES": 20 * 1024 * 1024,
    "TICKETS_MAX_HEADER_BYTES": EmailLimits.max_header_bytes,
    "TICKETS_MAX_HEADERS_BYTES": EmailLimits.max_headers_bytes,
    "TICKETS_MAX_ENCODED_WORDS": EmailLimits.max_encoded_words,
    "TICKETS_MAX_MIME_PARTS": EmailLimits.max_parts,
    "TICKETS_MAX_MIME_DEPTH": EmailLimits.max_depth,
    "TICKETS_REPLY_TO_CLOSED": REOPEN,
}


def _setting(name: str):
    return getattr(settings, name, _DEFAULTS[name])


def max_attachment_bytes() -> int:
    return int(_setting("TICKETS_MAX_ATTACHMENT_BYTES"))


def max_email_bytes() -> int:
    return int(_setting("TICKETS_MAX_EMAIL_BYTES"))


def email_limits() -> EmailLimits:
    """The caps every email in is measured against before it is parsed."""
    return EmailLimits(
        max_bytes=max_email_bytes(),
        max_header_bytes=int(_setting("TICKETS_MAX_HEADER_BYTES")),
        max_headers_bytes=int(_setting("TICKETS_MAX_HEADERS_BYTES")),
        max_encoded_words=int(_setting("TICKETS_MAX_ENCODED_WORDS")),
        max_parts=int(_setting("TICKETS_MAX_MIME_PARTS")),
        max_depth=int(_setting("TICKETS_MAX_MIME_DEPTH")),
    )


def max_recording_bytes() -> int:
    return int(_setting("TICKETS_MAX_RECORDING_BYTES"))


def reply_to_closed() -> str:
    """ "reopen" or "new"; anything else is a configuration error."""
    value = _setting("TICKETS_REPLY_TO_CLOSED")
    if value not in (REOPEN, NEW_LINKED):
        raise ValueError(f"TICKETS_REPLY_TO_CLOSED must be 'reopen' or 'new', not {value!r}")
    return value


def from_email() -> str:
    return getattr(settings, "TICKETS_FROM_EMAIL", "") or settings.DEFAULT_FROM_EMAIL


def from_address() -> str:
    """Our own address alone (no display name), lower-case."""
    return parseaddr(from_email())[1].lower()


def message_id_domain() -> str:
    domain = getattr(settings, "TICKETS_MESSAGE_ID_DOMAIN", "")
    if domain:
        return domain
    return from_address().rpartition("@")[2] or "localhost"
