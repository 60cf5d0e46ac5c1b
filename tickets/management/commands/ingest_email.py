"""`python manage.py ingest_email [FILE ...|-] [--maildir DIR] [--mbox FILE]`: take in raw
emails and end with one summary line,
`N messages: A new tickets, B replies, C automatic, D bounces, E set aside, F duplicates,
G failed`, in which every message read is counted once (see `bucket`): A to G add up to N.

Every input is checked before anything is ingested; one that cannot be read ends the command
with a one-line error and exit status 1. Emails that are not readable as email are not an error
of the command: they are kept as failed inbound emails and counted as failed. One message never
stops the batch: whatever it holds (over a cap, NUL bytes, a parser crash), it is kept failed
and the next one is taken; a message of a maildir or mbox that cannot be read any more is said
on stderr and counted as failed. Only a database that is gone stops the command (exit 1).
Of an email larger than TICKETS_MAX_EMAIL_BYTES only the first bytes are read, and kept failed.
"""

import logging
import mailbox
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from tickets import conf
from tickets.management.outage import without_redis_tracebacks
from tickets.services import ingest_email
from tickets.services.inbound import (
    AUTO,
    BOUNCED,
    DUPLICATE,
    FAILED,
    IngestResult,
    keep_oversized_email,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Oversized:
    """The first bytes of an email larger than TICKETS_MAX_EMAIL_BYTES, and its whole size."""

    head: bytes
    size: int


Read = bytes | Oversized | Exception
Source = Callable[[], Iterator[tuple[str, Read]]]


BUCKETS = ("new tickets", "replies", "automatic", "bounces", "set aside", "duplicates", "failed")


def bucket(result: IngestResult | None) -> str:
    """The one bucket of the summary a message read falls in: "failed" (kept failed, or not
    even kept: None), "duplicates", "set aside" (kept without a ticket: a bounce of an email
    that is not ours), "bounces" (a bounce of one of our emails), "automatic" (an auto-reply
    or bulk mail taken onto a ticket, never acknowledged), "new tickets", "replies"."""
    if result is None or result.kind == FAILED:
        return "failed"
    if result.kind == DUPLICATE:
        return "duplicates"
    if result.ticket is None:
        return "set aside"
    if result.kind == BOUNCED:
        return "bounces"
    if result.kind == AUTO:
        return "automatic"
    return "new tickets" if result.opened else "replies"


class Command(BaseCommand):
    help = "Ingest raw emails (files, standard input, a maildir or an mbox) as tickets."

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", metavar="FILE", help="a raw email (.eml); '-' reads one from stdin"
        )
        parser.add_argument(
            "--maildir", action="append", default=[], metavar="DIR", help="a maildir to read"
        )
        parser.add_argument(
            "--mbox", action="append", default=[], metavar="FILE", help="an mbox file to read"
        )

    def handle(self, *args, files, maildir, mbox, verbosity, **options):
        sources = [self._file(f) for f in files]
        sources += [self._maildir(d) for d in maildir]
        sources += [self._mbox(f) for f in mbox]
        if not sources:
            raise CommandError("nothing to ingest: give FILE, -, --maildir DIR or --mbox FILE")
        total, counts = 0, dict.fromkeys(BUCKETS, 0)
        with without_redis_tracebacks(self.stderr.write):
            for source in sources:
                for label, raw in source():
                    total += 1
                    result = self._ingest(label, raw)
                    counts[bucket(result)] += 1
                    if result is not None and verbosity >= 2:
                        reference = result.ticket.reference if result.ticket else "-"
                        detail = f" ({result.error})" if result.error else ""
                        self.stdout.write(f"{label}: {result.kind} {reference}{detail}")
        buckets = ", ".join(f"{counts[name]} {name}" for name in BUCKETS)
        self.stdout.write(f"{total} messages: {buckets}")

    def _ingest(self, label: str, raw: Read) -> IngestResult | None:
        """The result of one message, or None when it could not be read or kept (said on
        stderr)."""
        if isinstance(raw, Exception):
            self.stderr.write(f"{label}: cannot read it: {_reason(raw)}")
            return None
        try:
            if isinstance(raw, Oversized):
                return keep_oversized_email(head=raw.head, size=raw.size)
            return ingest_email(raw=raw)
        except (OperationalError, InterfaceError) as error:
            first_line = str(error).strip().splitlines()[:1]
            raise CommandError(f"the database is unavailable: {''.join(first_line)}") from None
        except Exception as error:  # a bug must not cost the rest of the batch
            logger.exception("%s could not be ingested", label)
            self.stderr.write(f"{label}: not kept: {type(error).__name__}: {error}")
            return None

    def _file(self, name: str) -> Source:
        if name == "-":
            return lambda: iter([("<stdin>", _read(lambda: _bounded(sys.stdin.buffer), "stdin"))])
        path = Path(name)
        if not path.is_file() or not os.access(path, os.R_OK):
            raise CommandError(f"cannot read {name}: {_why(path)}")
        return lambda: iter([(name, _read(lambda: _whole(lambda: path.open("rb")), name))])

    def _maildir(self, name: str) -> Source:
        path = Path(name)
        if not all((path / sub).is_dir() for sub in ("cur", "new")):
            raise CommandError(f"cannot read {name}: not a maildir (no cur/ and new/)")
        box = mailbox.Maildir(path, factory=None, create=False)

        def messages() -> Iterator[tuple[str, Read]]:
            for key in sorted(_read(box.keys, name)):
                yield f"{name}/{key}", _message(lambda k=key: box.get_file(k))

        return messages

    def _mbox(self, name: str) -> Source:
        path = Path(name)
        if not path.is_file() or not os.access(path, os.R_OK):
            raise CommandError(f"cannot read {name}: {_why(path)}")
        box = mailbox.mbox(path, factory=None, create=False)

        def messages() -> Iterator[tuple[str, Read]]:
            for number, key in enumerate(_read(box.keys, name), start=1):
                yield f"{name}#{number}", _message(lambda k=key: box.get_file(k))

        return messages


def _why(path: Path) -> str:
    if not path.exists():
        return "no such file"
    if path.is_dir():
        return "it is a directory"
    return "permission denied"


def _reason(error: BaseException) -> str:
    return str(getattr(error, "strerror", None) or error)


def _read(read: Callable, what: str):
    try:
        return read()
    except (OSError, mailbox.Error) as error:
        raise CommandError(f"cannot read {what}: {_reason(error)}") from None


def _bounded(file: BinaryIO) -> bytes | Oversized:
    """The file's bytes, or only its first TICKETS_MAX_EMAIL_BYTES when it is larger (the rest
    is counted, not kept): no email fills the memory."""
    limit = conf.max_email_bytes()
    head = file.read(limit + 1)
    if len(head) <= limit:
        return head
    size = len(head)
    while chunk := file.read(1024 * 1024):
        size += len(chunk)
    return Oversized(head=head[:limit], size=size)


def _whole(open_file: Callable[[], BinaryIO]) -> bytes | Oversized:
    with open_file() as file:
        return _bounded(file)


def _message(open_file: Callable[[], BinaryIO]) -> Read:
    """One message of a maildir or mbox, or why it cannot be read (it went, say)."""
    try:
        return _whole(open_file)
    except (OSError, mailbox.Error, KeyError) as error:
        return error
