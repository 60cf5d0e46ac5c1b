"""Bounded work per email: a raw message is measured against caps BEFORE the standard library's
parser sees it, in one linear pass over its bytes.

The standard library's header parser is quadratic on some inputs (16,000 RFC 2047 encoded words
in one Subject took 2.3 GB and 10 s), and its MIME parser does work in proportion to the
nesting depth for every line, and builds an object for every part and every header line. So
`check_limits` walks the message's structure the way `email.feedparser` does (header blocks end
at a blank line or at a line that is not a header line; parts start after a line `--boundary`;
`message/*` bodies are messages again; a `message/delivery-status` body is a series of header
blocks), without parsing a single header value, and raises `EmailOverLimit` naming the first cap
exceeded:

| cap | setting | what it bounds |
| --- | --- | --- |
| `max_bytes` | TICKETS_MAX_EMAIL_BYTES | the raw message |
| `max_header_bytes` | TICKETS_MAX_HEADER_BYTES | one header field, with its folded lines |
| `max_headers_bytes` | TICKETS_MAX_HEADERS_BYTES | all header blocks (the message's and its parts') |
| `max_encoded_words` | TICKETS_MAX_ENCODED_WORDS | RFC 2047 encoded words (`=?`) in all header blocks |
| `max_parts` | TICKETS_MAX_MIME_PARTS | MIME entities: the message, its parts, nested messages |
| `max_depth` | TICKETS_MAX_MIME_DEPTH | how deeply parts and messages nest |

Where this walk could read a Content-Type differently from the standard library (a comment, an
RFC 2231 `boundary*=`, an escaped quote), the message is refused rather than guessed at.
"""  # noqa: E501

import re
from dataclasses import dataclass

from .errors import EmailParseError

# A header line as email.feedparser recognises one (a field, an mbox From_ line, a fold).
_HEADER_LINE = re.compile(rb"From |[\x21-\x39\x3b-\x7e]*:|[\t ]")
_CONTENT_TYPE = re.compile(rb"[\t ]*([^\s/;()\"]+)[\t ]*/[\t ]*([^\s;()\"]+)")
_BOUNDARY = re.compile(rb';[\t ]*boundary[\t ]*=[\t ]*(?:"([^"]*)"|([^\s;"]+))', re.IGNORECASE)
_QUOTED = re.compile(rb'"[^"]*"')
_NOT_READ = ": it was not read"


@dataclass(frozen=True)
class EmailLimits:
    """The caps one raw email must keep within (see the module docstring)."""

    max_bytes: int = 50 * 1024 * 1024
    max_header_bytes: int = 64 * 1024
    max_headers_bytes: int = 256 * 1024
    max_encoded_words: int = 1000
    max_parts: int = 1000
    max_depth: int = 20


class EmailOverLimit(EmailParseError):
    """The email goes over one of the caps; the message names the cap's setting."""


def check_limits(raw: bytes, limits: EmailLimits) -> None:
    """Raise `EmailOverLimit` when `raw` goes over a cap of `limits` (see the module docstring).
    Linear in the size of `raw`; no header value is parsed."""
    if len(raw) > limits.max_bytes:
        raise EmailOverLimit(
            f"the email is larger than the {limits.max_bytes} bytes limit "
            f"(TICKETS_MAX_EMAIL_BYTES){_NOT_READ}"
        )
    # email.feedparser ends a line at CRLF, CR or LF: with one kind of line end, one walk.
    text = raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    _Walk(text, limits).run()


@dataclass
class _Entity:
    start: int  # where its header block begins
    limit: int  # where its region ends: its parent's next boundary line, or the end
    depth: int
    default_type: bytes = b"text/plain"


class _Walk:
    """One pass over the message's entities, with an explicit stack (no recursion)."""

    def __init__(self, text: bytes, limits: EmailLimits) -> None:
        self.text = text
        self.limits = limits
        self.parts = 0
        self.headers_bytes = 0
        self.encoded_words = 0

    def run(self) -> None:
        todo = [_Entity(start=0, limit=len(self.text), depth=0)]
        while todo:
            entity = todo.pop()
            self._count_parts(1, entity.depth)
            content_type, body_start = self._header_block(entity.start, entity.limit)
            maintype, subtype, boundary = _content_kind(content_type, entity.default_type)
            if maintype == b"multipart" and boundary is not None:
                default = b"message/rfc822" if subtype == b"digest" else b"text/plain"
                todo.extend(self._children(boundary, body_start, entity, default))
            elif (maintype, subtype) == (b"message", b"delivery-status"):
                self._status_blocks(body_start, entity.limit, entity.depth + 1)
            elif maintype == b"message":
                todo.append(_Entity(start=body_start, limit=entity.limit, depth=entity.depth + 1))

    def _count_parts(self, count: int, depth: int) -> None:
        limits = self.limits
        self.parts += count
        if self.parts > limits.max_parts:
            raise EmailOverLimit(
                f"the email has more than {limits.max_parts} MIME parts "
                f"(TICKETS_MAX_MIME_PARTS){_NOT_READ}"
            )
        if depth > limits.max_depth:
            raise EmailOverLimit(
                f"the email's parts are nested more than {limits.max_depth} deep "
                f"(TICKETS_MAX_MIME_DEPTH){_NOT_READ}"
            )

    def _header_block(self, start: int, limit: int) -> tuple[bytes | None, int]:
        """Check the header block at `start`: (its first Content-Type value, where its body
        starts). It ends at a blank line (taken with it) or a line that is no header line."""
        text = self.text
        pos = body_start = start
        field_start = None
        content_type = None
        while pos < limit:
            end = text.find(b"\n", pos, limit)
            line_end = limit if end < 0 else end + 1
            if text[pos] == 0x0A:  # a blank line
                body_start = line_end
                break
            if not _HEADER_LINE.match(text, pos, line_end):
                body_start = pos
                break
            if field_start is None or text[pos] not in b" \t":
                if field_start is not None and content_type is None:
                    content_type = _content_type_value(text[field_start:pos])
                field_start = pos
            self._check_sizes(field=line_end - field_start, block=line_end - start)
            pos = body_start = line_end
        if field_start is not None and content_type is None:
            content_type = _content_type_value(text[field_start:pos])
        self.headers_bytes += pos - start
        self._count_encoded_words(text.count(b"=?", start, pos))
        return content_type, body_start

    def _check_sizes(self, *, field: int, block: int) -> None:
        """`field`: the size of the header field read so far; `block`: of its block so far."""
        limits = self.limits
        if field > limits.max_header_bytes:
            raise EmailOverLimit(
                f"a header of the email is longer than {limits.max_header_bytes} bytes "
                f"(TICKETS_MAX_HEADER_BYTES){_NOT_READ}"
            )
        if self.headers_bytes + block > limits.max_headers_bytes:
            raise EmailOverLimit(
                f"the email's headers are longer than {limits.max_headers_bytes} bytes in all "
                f"(TICKETS_MAX_HEADERS_BYTES){_NOT_READ}"
            )

    def _count_encoded_words(self, count: int) -> None:
        self.encoded_words += count
        if self.encoded_words > self.limits.max_encoded_words:
            raise EmailOverLimit(
                f"the email's headers have more than {self.limits.max_encoded_words} RFC 2047 "
                f"encoded words (TICKETS_MAX_ENCODED_WORDS){_NOT_READ}"
            )

    def _children(
        self, boundary: bytes, body_start: int, parent: _Entity, default_type: bytes
    ) -> list[_Entity]:
        """The parts of a multipart: between lines `--boundary`, up to `--boundary--`; lines
        `--boundary` one after another make no part (as in email.feedparser)."""
        text, limit = self.text, parent.limit
        needle = b"\n--" + boundary
        children: list[_Entity] = []
        lines = 0
        # The body starts on a line of its own: from the newline before it (a multipart has
        # a header block, so body_start > 0).
        pos = body_start - 1
        while (found := text.find(needle, pos, limit)) >= 0:
            line_start = found + 1
            after = found + len(needle)
            end = text.find(b"\n", after, limit)
            line_end = limit if end < 0 else end
            pos = line_end
            lines += 1
            if lines > 10 * self.limits.max_parts + 100:  # bounded work, even on near misses
                self._count_parts(self.limits.max_parts + 1, parent.depth + 1)
            rest = text[after:line_end]
            closing = rest.startswith(b"--")
            if rest[2 if closing else 0 :].strip(b" \t"):
                continue  # a line that only starts like a boundary line
            if children:
                children[-1].limit = line_start
                if children[-1].start >= line_start:
                    children.pop()
            if closing:
                break
            children.append(
                _Entity(
                    start=min(line_end + 1, limit),
                    limit=limit,
                    depth=parent.depth + 1,
                    default_type=default_type,
                )
            )
        self._count_parts(0, parent.depth + 1)
        return children

    def _status_blocks(self, start: int, limit: int, depth: int) -> None:
        """A delivery-status body: blocks of headers, each its own entity (at most one a line),
        all of it counted as headers."""
        text = self.text
        self._count_parts(text.count(b"\n", start, limit) + 1, depth)
        self._check_sizes(field=0, block=limit - start)
        self.headers_bytes += limit - start
        self._count_encoded_words(text.count(b"=?", start, limit))
        field_start = pos = start
        while pos < limit:
            end = text.find(b"\n", pos, limit)
            line_end = limit if end < 0 else end + 1
            if text[pos] not in b" \t":
                field_start = pos
            self._check_sizes(field=line_end - field_start, block=0)
            pos = line_end


def _content_type_value(field: bytes) -> bytes | None:
    if field[:13].lower() != b"content-type:":
        return None
    return field[13:].replace(b"\n", b"")


def _content_kind(value: bytes | None, default: bytes) -> tuple[bytes, bytes, bytes | None]:
    """(maintype, subtype, boundary or None) of a Content-Type value as the standard library
    reads it; `EmailOverLimit` where it might read it otherwise."""
    if value is None:
        maintype, _, subtype = default.partition(b"/")
        return maintype, subtype, None
    bare = _QUOTED.sub(b'""', value).lower()
    match = _CONTENT_TYPE.match(value)
    boundaries = _BOUNDARY.findall(value)
    # Only a multipart or message/* nests: a leaf's odd form (name=file(1).pdf) is no matter.
    structured = b"multipart" in value.lower() or b"message" in value.lower()
    if structured and (
        b"(" in bare
        or b"\\" in value
        or len(boundaries) > 1
        or (b"boundary" in bare and len(boundaries) != 1)
        or match is None
    ):
        raise EmailOverLimit(
            "a Content-Type of the email is written in a form the desk does not read (a "
            f"comment, an escape, an RFC 2231 or a repeated boundary){_NOT_READ}"
        )
    if match is None:
        return b"text", b"plain", None
    boundary = None
    if boundaries:
        quoted, token = boundaries[0]
        boundary = (quoted or token).rstrip()
    return match.group(1).lower(), match.group(2).lower(), boundary
