"""Reading a raw email (RFC 5322 bytes) into a `ParsedEmail`, with the standard library's modern
API (`email.policy.default`): any charset, RFC 2047/2231 headers, multipart/alternative, nested
messages, inline and attached files, quoted history, and mail no person wrote.

Only bytes that are not an email at all (no headers, no sender) raise `EmailParseError`; every
oddity of a real email (an unknown charset, an oversized file, a header the modern parser cannot
read) is read the lenient way and, where something was lost, said in `notes`.
"""

import email
import hashlib
import re
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from email.message import EmailMessage

from .automated import BOUNCE, classify_automated
from .body import Body, BodyReader, ParsedAttachment
from .delivery import RecipientStatus, plain_bounce_status
from .errors import EmailParseError
from .headers import addresses, header, message_ids, normalise_message_id
from .html import html_to_text, sanitise_email_html
from .limits import EmailLimits, check_limits
from .policy import POLICY
from .quoting import split_quoted
from .storable import storable

__all__ = ["EmailParseError", "ParsedAttachment", "ParsedEmail", "content_hash", "parse_email"]

_MESSAGE_ID_LINE = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
MAX_REFERENCES = 50


@dataclass(frozen=True)
class ParsedEmail:
    """One email as the desk reads it.

    `text` is the whole plain text; `display_text` + `quoted_text` split it into what the writer
    wrote and the history they quoted. `html` is sanitised. `automated` is "" for mail a person
    wrote, else "auto_reply", "bulk" or "bounce" (`automated_reason` says why); for a bounce,
    `bounced_message_ids` and `bounced_subject` describe the message that could not be delivered
    (its own Message-ID first), and `bounced_recipients` what happened to each of its addresses.
    A bounce may have no sender (`from_address` ""): delivery reports come from the null sender.
    """

    content_hash: str
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    from_name: str
    from_address: str
    reply_to: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    date: datetime | None
    text: str
    display_text: str
    quoted_text: str
    html: str
    attachments: tuple[ParsedAttachment, ...]
    notes: tuple[str, ...]
    automated: str
    automated_reason: str
    bounced_message_ids: tuple[str, ...]
    bounced_subject: str
    bounced_recipients: tuple[RecipientStatus, ...] = ()

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """The Message-IDs this email answers, the nearest first: In-Reply-To, then References
        from the last (the parent) to the first (the thread's start)."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [i for i in reversed(self.references) if i not in ids]
        return tuple(ids)

    @property
    def is_automated(self) -> bool:
        return bool(self.automated)


def content_hash(raw: bytes) -> str:
    """The SHA-256 of the bytes: how an email without a Message-ID is recognised again."""
    return hashlib.sha256(raw).hexdigest()


def parse_email(
    raw: bytes, *, max_attachment_bytes: int, limits: EmailLimits | None = None
) -> ParsedEmail:
    """Read `raw`; raise `EmailParseError` when it is not an email (see the module docstring).
    Attachments larger than `max_attachment_bytes` are left out, with a note.

    Bounded: `raw` is first measured against `limits` (`check_limits`), and the parser never
    sees an email over a cap (`EmailOverLimit`, naming the cap). Whatever the parser raises
    on a hostile email becomes an `EmailParseError`. Every text of the result can be stored
    (`storable`: no NUL, no lone surrogate)."""
    if not raw.strip():
        raise EmailParseError("the message is empty")
    check_limits(raw, limits or EmailLimits())
    try:
        return _storable(_parse(raw, max_attachment_bytes=max_attachment_bytes))
    except EmailParseError:
        raise
    except Exception as error:  # RecursionError, MemoryError...: a hostile email, not a crash
        raise EmailParseError(
            f"the email could not be read ({type(error).__name__}: {str(error)[:200]})"
        ) from error


def _parse(raw: bytes, *, max_attachment_bytes: int) -> ParsedEmail:
    try:
        msg = email.message_from_bytes(raw, policy=POLICY)
    except Exception as error:  # the parser is lenient; anything it raises means "not an email"
        raise EmailParseError(f"not an email ({error})") from error
    if not msg.keys():
        raise EmailParseError("not an email: it has no headers")
    senders = addresses(msg, "From") or addresses(msg, "Sender")
    from_name, from_address = senders[0] if senders else ("", "")
    automated, reason = classify_automated(msg, from_address=from_address)
    if not senders and automated != BOUNCE:  # a bounce comes from the null sender (RFC 3464)
        raise EmailParseError("not an email: it has no sender address (From)")
    try:
        body = BodyReader(max_attachment_bytes=max_attachment_bytes).read(msg)
    except Exception as error:
        raise EmailParseError(f"the body could not be read ({error})") from error

    text, html = _text_and_html(body)
    if automated == BOUNCE and body.delivery_status:
        text = "\n\n".join(t for t in (text, "\n".join(body.delivery_status)) if t)
    display, quoted = split_quoted(text)
    bounced_ids, bounced_subject = _returned(body, text) if automated == BOUNCE else ((), "")
    recipients: tuple[RecipientStatus, ...] = ()
    if automated == BOUNCE:
        recipients = tuple(body.recipients) or (plain_bounce_status(text),)
    reply_to = addresses(msg, "Reply-To")
    return ParsedEmail(
        content_hash=content_hash(raw),
        message_id=normalise_message_id(header(msg, "Message-ID")),
        in_reply_to=next(iter(message_ids(header(msg, "In-Reply-To"))), ""),
        references=tuple(message_ids(header(msg, "References"))[-MAX_REFERENCES:]),
        subject=header(msg, "Subject"),
        from_name=from_name,
        from_address=from_address,
        reply_to=reply_to[0][1] if reply_to else "",
        to=tuple(a for _, a in addresses(msg, "To")),
        cc=tuple(a for _, a in addresses(msg, "Cc")),
        date=_date(msg),
        text=text,
        display_text=display,
        quoted_text=quoted,
        html=html,
        attachments=tuple(body.attachments),
        notes=tuple(dict.fromkeys(body.notes)),
        automated=automated,
        automated_reason=reason,
        bounced_message_ids=bounced_ids,
        bounced_subject=bounced_subject,
        bounced_recipients=recipients,
    )


def _storable(parsed: ParsedEmail) -> ParsedEmail:
    """Every text of `parsed` (and of its attachments) as PostgreSQL can store it."""
    changes = {}
    for item in fields(parsed):
        value = getattr(parsed, item.name)
        if isinstance(value, str):
            changes[item.name] = storable(value)
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            changes[item.name] = tuple(storable(v) for v in value)
    changes["attachments"] = tuple(
        replace(
            a,
            filename=storable(a.filename),
            content_type=storable(a.content_type),
            content_id=storable(a.content_id),
        )
        for a in parsed.attachments
    )
    return replace(parsed, **changes)


def _text_and_html(body: Body) -> tuple[str, str]:
    texts = [t.replace("\r\n", "\n").strip("\n") for t in body.texts]
    text = "\n\n".join(t for t in texts if t.strip())
    raw_html = "\n".join(body.htmls)
    if not text.strip() and raw_html.strip():
        text = html_to_text(raw_html)
    return text, sanitise_email_html(raw_html)


def _date(msg: EmailMessage) -> datetime | None:
    try:
        value = msg.get("Date")
        moment = getattr(value, "datetime", None)
    except Exception:
        return None
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _returned(body: Body, text: str) -> tuple[tuple[str, ...], str]:
    """The Message-IDs and subject of the message a bounce returns: from the returned message
    (or its headers) in the report, else from "Message-ID:" lines quoted in the text."""
    ids: list[str] = []
    subject = ""
    for returned in body.returned:
        if found := normalise_message_id(header(returned, "Message-ID")):
            ids.append(found)
        ids += message_ids(header(returned, "In-Reply-To"))
        ids += reversed(message_ids(header(returned, "References")))
        subject = subject or header(returned, "Subject")
    ids += _MESSAGE_ID_LINE.findall(text)
    return tuple(dict.fromkeys(ids)), subject
