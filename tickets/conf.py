"""The tickets app's settings, with their defaults in one place.

Each can be set in the Django settings (config/settings/base.py reads them from the environment):

| setting | default | meaning |
| --- | --- | --- |
| TICKETS_MAX_ATTACHMENT_BYTES | 10 MB | a larger attachment is not kept (the message says so) |
| TICKETS_MAX_EMAIL_BYTES | 50 MB | a larger email is kept raw and marked failed, not parsed |
| TICKETS_MAX_RECORDING_BYTES | 20 MB | a larger voicemail recording is not kept (the voicemail says so) |
| TICKETS_REPLY_TO_CLOSED | "reopen" | a customer's reply to a closed ticket reopens it ("reopen") or opens a new ticket linked to it ("new") |
| TICKETS_FROM_EMAIL | DEFAULT_FROM_EMAIL | the sender of every ticket email |
| TICKETS_MESSAGE_ID_DOMAIN | the domain of TICKETS_FROM_EMAIL | the right-hand side of our Message-IDs |
"""  # noqa: E501

from email.utils import parseaddr

from django.conf import settings

REOPEN = "reopen"
NEW_LINKED = "new"

_DEFAULTS = {
    "TICKETS_MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
    "TICKETS_MAX_EMAIL_BYTES": 50 * 1024 * 1024,
    "TICKETS_MAX_RECORDING_BYTES": 20 * 1024 * 1024,
    "TICKETS_REPLY_TO_CLOSED": REOPEN,
}


def _setting(name: str):
    return getattr(settings, name, _DEFAULTS[name])


def max_attachment_bytes() -> int:
    return int(_setting("TICKETS_MAX_ATTACHMENT_BYTES"))


def max_email_bytes() -> int:
    return int(_setting("TICKETS_MAX_EMAIL_BYTES"))


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
