"""The MIME tree of an email, walked once: its text, its HTML, its files and, in a delivery
report, the message that bounced."""

import codecs
import mimetypes
import re
from dataclasses import dataclass, field
from email import message_from_string
from email.message import EmailMessage

from .delivery import RecipientStatus, recipient_statuses
from .headers import addresses, clean_text, header
from .html import html_to_text
from .policy import POLICY

MAX_DEPTH = 25
MAX_STORED_NAME_BYTES = 120  # of an attachment's file name on disk (Django may add a suffix)
_UNSAFE_FILENAME = re.compile(r"[\x00-\x1f\x7f/\\]+")


@dataclass(frozen=True)
class ParsedAttachment:
    """A file that came with the email. `inline` files are shown in the HTML (`cid:` images)."""

    filename: str
    content_type: str
    content: bytes = field(repr=False)
    inline: bool = False
    content_id: str = ""

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class Body:
    """What the walk found; `parse_email` turns it into the frozen `ParsedEmail`."""

    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Inside a delivery report: the returned message (or its headers) and the status fields.
    returned: list[EmailMessage] = field(default_factory=list)
    delivery_status: list[str] = field(default_factory=list)
    recipients: list[RecipientStatus] = field(default_factory=list)

    def absorb(self, other: "Body") -> None:
        """Take everything but the text and HTML of `other` (a multipart/alternative branch)."""
        self.attachments.extend(other.attachments)
        self.notes.extend(other.notes)
        self.returned.extend(other.returned)
        self.delivery_status.extend(other.delivery_status)
        self.recipients.extend(other.recipients)


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def decode_text(part: EmailMessage, notes: list[str]) -> str:
    """A text part's content in any charset: the declared one if Python knows it and the bytes
    fit, else UTF-8, else Windows-1252, else Latin-1 (which reads any byte). Never raises."""
    payload = part.get_payload(decode=True) or b""
    declared: str | None = (part.get_content_charset() or "us-ascii").strip().lower()
    try:
        # As browsers do (WHATWG Encoding): text labelled ISO-8859-1 is read as Windows-1252,
        # which most of it really is (the euro sign, curly quotes).
        if codecs.lookup(declared).name == "iso8859-1":
            declared = "cp1252"
    except LookupError:
        notes.append(f"The text's charset '{declared}' is unknown: it was read as UTF-8.")
        declared = None
    for charset in (declared, "utf-8", "cp1252"):
        if charset is None:
            continue
        try:
            return payload.decode(charset)
        except UnicodeDecodeError:
            continue
    return payload.decode("latin-1")


def safe_filename(name: str, *, content_type: str, default_stem: str) -> str:
    """A file name that is only a name (no directories or control characters), kept under 255
    characters with its extension; made up from the content type when there is none."""
    name = _UNSAFE_FILENAME.sub("_", name or "").strip(" ._")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"{default_stem}{extension}"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        extension = extension[:20] if dot else ""
        name = f"{(stem or name)[: 250 - len(extension)]}.{extension}" if extension else name[:255]
    return name


def storage_name(filename: str) -> str:
    """The attachment's name on disk: file systems allow 255 bytes, not characters (a name of
    200 "é" is 400 bytes), so a long name is cut to MAX_STORED_NAME_BYTES, its extension kept."""
    if len(filename.encode("utf-8")) <= MAX_STORED_NAME_BYTES:
        return filename
    stem, dot, extension = filename.rpartition(".")
    if not dot or len(extension.encode("utf-8")) > 20:
        stem, extension = filename, ""
    room = MAX_STORED_NAME_BYTES - len(extension.encode("utf-8")) - 1
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore") or "attachment"
    return f"{stem}.{extension}" if extension else stem


class BodyReader:
    """Walks one email's parts, keeping files up to `max_attachment_bytes`."""

    def __init__(self, *, max_attachment_bytes: int) -> None:
        self.max_attachment_bytes = max_attachment_bytes

    def read(self, msg: EmailMessage) -> Body:
        body = Body()
        self._walk(msg, body, depth=0, in_report=False)
        return body

    def _walk(self, part: EmailMessage, body: Body, *, depth: int, in_report: bool) -> None:
        if depth > MAX_DEPTH:
            body.notes.append("Some parts were nested too deeply to be read.")
            return
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global") and part.is_multipart():
            self._nested(part, body, depth=depth, in_report=in_report)
            return
        if content_type == "message/delivery-status":
            body.delivery_status.extend(_status_lines(part))
            body.recipients.extend(recipient_statuses(part))
            return
        if content_type == "text/rfc822-headers":
            body.returned.append(_headers_message(decode_text(part, body.notes)))
            return
        if part.is_multipart():
            children = [p for p in part.get_payload() if isinstance(p, EmailMessage)]
            report = in_report or content_type == "multipart/report"
            if content_type == "multipart/alternative":
                self._alternative(children, body, depth=depth, in_report=report)
            else:
                for child in children:
                    self._walk(child, body, depth=depth + 1, in_report=report)
            return
        disposition = part.get_content_disposition()
        filename = _filename(part)
        is_body = content_type in ("text/plain", "text/html") and disposition != "attachment"
        if is_body and not filename:
            text = decode_text(part, body.notes)
            (body.texts if content_type == "text/plain" else body.htmls).append(text)
            return
        self._attachment(part, body, disposition=disposition, filename=filename)

    def _alternative(
        self, children: list[EmailMessage], body: Body, *, depth: int, in_report: bool
    ) -> None:
        """Alternatives of one content: the first plain text and the richest HTML are kept."""
        branches = []
        for child in children:
            branch = Body()
            self._walk(child, branch, depth=depth + 1, in_report=in_report)
            branches.append(branch)
            body.absorb(branch)
        with_text = [b for b in branches if b.texts]
        with_html = [b for b in branches if b.htmls]
        if with_text:
            body.texts.extend(with_text[0].texts)
        if with_html:
            body.htmls.extend(with_html[-1].htmls)

    def _nested(self, part: EmailMessage, body: Body, *, depth: int, in_report: bool) -> None:
        """A message inside the message: kept as an .eml file; a forwarded one's text is added
        to the body, a returned one (in a delivery report) is remembered for bounce matching."""
        inner = part.get_payload(0)
        subject = header(inner, "Subject")
        self._keep(
            body,
            ParsedAttachment(
                filename=safe_filename(
                    f"{subject[:100]}.eml" if subject else "message.eml",
                    content_type="message/rfc822",
                    default_stem="message",
                ),
                content_type="message/rfc822",
                content=_as_bytes(inner),
            ),
        )
        if in_report:
            body.returned.append(inner)
            return
        inner_body = Body()
        self._walk(inner, inner_body, depth=depth + 1, in_report=False)
        body.notes.extend(inner_body.notes)
        from_ = ", ".join(f"{n} <{a}>" if n else a for n, a in addresses(inner, "From"))
        lines = ["---------- Forwarded message ----------", f"From: {from_}"]
        for name in ("Date", "Subject", "To"):
            if value := header(inner, name):
                lines.append(f"{name}: {value}")
        text = "\n\n".join(t.strip("\n") for t in inner_body.texts)
        if not text and inner_body.htmls:
            text = html_to_text("\n".join(inner_body.htmls))
        body.texts.append("\n".join(lines) + "\n\n" + text)

    def _attachment(
        self, part: EmailMessage, body: Body, *, disposition: str | None, filename: str
    ) -> None:
        content_type = part.get_content_type()
        content_id = header(part, "Content-ID").strip().strip("<>")
        inline = disposition == "inline" or (disposition is None and bool(content_id))
        try:
            content = part.get_payload(decode=True) or b""
        except Exception:
            body.notes.append(f"The attachment '{filename or content_type}' could not be read.")
            return
        number = len(body.attachments) + 1
        name = safe_filename(
            filename,
            content_type=content_type,
            default_stem=f"{'inline' if inline else 'attachment'}-{number}",
        )
        self._keep(
            body,
            ParsedAttachment(
                filename=name,
                content_type=content_type,
                content=content,
                inline=inline,
                content_id=content_id,
            ),
        )

    def _keep(self, body: Body, attachment: ParsedAttachment) -> None:
        if attachment.size > self.max_attachment_bytes:
            body.notes.append(
                f"The attachment '{attachment.filename}' ({human_size(attachment.size)}) was not "
                f"kept: it is larger than the {human_size(self.max_attachment_bytes)} limit."
            )
            return
        body.attachments.append(attachment)


def _filename(part: EmailMessage) -> str:
    """The part's file name (RFC 2231 and RFC 2047 forms decoded), '' when it has none."""
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    return clean_text(name)


# Headers written back as they came: refolding them parses them again (seconds, for a 60 KB To).
_AS_RECEIVED = POLICY.clone(refold_source="none")


def _as_bytes(msg: EmailMessage) -> bytes:
    try:
        return msg.as_bytes(policy=_AS_RECEIVED)
    except Exception:  # a part the generator cannot write back: keep what it can
        return msg.as_string(policy=msg.policy.clone(utf8=True)).encode("utf-8", "replace")


def _status_lines(part: EmailMessage) -> list[str]:
    """The per-recipient fields of a delivery-status report that tell an agent what happened."""
    wanted = ("Final-Recipient", "Action", "Status", "Diagnostic-Code")
    lines = []
    for block in part.get_payload() if part.is_multipart() else []:
        if not isinstance(block, EmailMessage):
            continue
        for name in wanted:
            if value := header(block, name):
                lines.append(f"{name}: {value}")
    return lines


def _headers_message(text: str) -> EmailMessage:
    return message_from_string(text.strip() + "\n\n", policy=POLICY)
