"""Email in from IMAP: poll a mailbox's folder and ingest what came, with `ingest_email`.

Rules:
- Each poll takes the folder's unseen messages with a UID above the last one taken
  (`UNSEEN UID n:*`), oldest first, at most `max_messages` (the rest wait for the next poll).
  The first poll of a folder, or one after its UIDVALIDITY changed, takes every unseen message.
- A message is read with BODY.PEEK (which leaves it unseen), ingested (`ingest_email`, which
  commits it, failed ones kept raw), and only then counted in `last_uid` and marked \\Seen.
  Whatever a message holds, `ingest_email` keeps it (read, or failed with its reason) and the
  poll goes on to the next one; only when ingestion raised (the database is gone) is the
  message left unseen and the poll stopped there, so the next poll tries it again; ingestion is
  idempotent, so a message taken twice is a duplicate and changes nothing.
- At most TICKETS_MAX_EMAIL_BYTES of a message are fetched: a larger one is kept failed with
  its first bytes and its size (`keep_oversized_email`), and stays whole in the mailbox.
- It arrived when the IMAP server says it did (INTERNALDATE, never later than now): a poll that
  runs late does not move the ticket's clocks.
- Errors (connection, login, folder, a decryption of the password that fails) are recorded on
  the mailbox (`last_error`, shown in the admin) and returned, never raised. A poll of a
  mailbox another poll is busy with is skipped (a lease on the row, not a held transaction).

Call it outside a transaction (as the Celery task and the admin do), so that each ingestion
commits before its message is marked seen.
"""

import contextlib
import imaplib
import logging
import re
import ssl
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .. import conf
from ..encryption import DecryptionError
from ..models import Mailbox, MailboxSecurity
from .inbound import ingest_email, keep_oversized_email

logger = logging.getLogger(__name__)

TIMEOUT = 30  # seconds, for every network operation
MAX_MESSAGES = 500  # per poll, so a poll ends well inside the Celery task's time limit
LEASE = timedelta(minutes=5)
MAX_ERROR = 2000
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class PollError(Exception):
    """What stopped a poll, said in one line for the mailbox's `last_error`."""


@dataclass(frozen=True)
class PollResult:
    """What one poll did: messages fetched, how many of each ingestion kind ("new", "reply",
    "duplicate", "failed", ...), and the error that stopped it ('' when none)."""

    fetched: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    error: str = ""
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and not self.skipped

    def __str__(self) -> str:
        if self.skipped:
            return "skipped: another poll is running"
        done = ", ".join(f"{n} {kind}" for kind, n in sorted(self.kinds.items()))
        text = f"{self.fetched} fetched" + (f" ({done})" if done else "")
        return f"{text}; error: {self.error}" if self.error else text


def poll_mailbox(*, mailbox: Mailbox, max_messages: int = MAX_MESSAGES) -> PollResult:
    """Poll one mailbox (the rules are in the module's docstring)."""
    if not _take_lease(mailbox):
        return PollResult(skipped=True)
    kinds: Counter[str] = Counter()
    fetched = 0
    error = ""
    client = None
    try:
        client = _connect(mailbox)
        for uid, raw, arrived, size in _new_messages(client, mailbox, max_messages):
            fetched += 1
            result = _ingest(raw, arrived, uid, size=size)
            kinds[result.kind] += 1
            Mailbox.objects.filter(pk=mailbox.pk, last_uid__lt=uid).update(last_uid=uid)
            mailbox.last_uid = max(mailbox.last_uid, uid)
            error = _mark_seen(client, uid) or error
    except PollError as failure:
        error = str(failure)
    except (imaplib.IMAP4.error, OSError) as failure:  # OSError: sockets, TLS, timeouts
        error = f"IMAP: {_describe(failure)}"
    finally:
        if client is not None:
            _logout(client)
        _record(mailbox, error=error)
    if error:
        logger.warning("mailbox %s: %s", mailbox.name, error)
    return PollResult(fetched=fetched, kinds=dict(kinds), error=error)


def _take_lease(mailbox: Mailbox) -> bool:
    now = timezone.now()
    free = Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now)
    return bool(Mailbox.objects.filter(free, pk=mailbox.pk).update(poll_lease_until=now + LEASE))


def _record(mailbox: Mailbox, *, error: str) -> None:
    now = timezone.now()
    fields = {"last_polled_at": now, "last_error": error[:MAX_ERROR], "poll_lease_until": None}
    if not error:
        fields["last_success_at"] = now
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if text.startswith(("b'", 'b"')) and text[-1:] in ("'", '"'):
        text = text[2:-1]  # imaplib puts the server's bytes in its exceptions
    return text


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    try:
        password = mailbox.get_password()
    except DecryptionError as error:
        raise PollError(str(error)) from None
    stage = f"connecting to {mailbox.host}:{mailbox.port}"
    try:
        if mailbox.security == MailboxSecurity.SSL:
            client = imaplib.IMAP4_SSL(
                mailbox.host,
                mailbox.port,
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT,
            )
        else:
            client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
            if mailbox.security == MailboxSecurity.STARTTLS:
                stage = "STARTTLS"
                client.starttls(ssl_context=ssl.create_default_context())
    except (imaplib.IMAP4.error, OSError) as error:
        raise PollError(f"{stage}: {_describe(error)}") from None
    try:
        client.login(mailbox.username, password)
    except imaplib.IMAP4.error as error:
        _logout(client)
        raise PollError(f"login as {mailbox.username} failed: {_describe(error)}") from None
    return client


def _logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.logout()


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple, what: str) -> list:
    status, data = response
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise PollError(f"{what}: {detail or status}")
    return data


def _new_messages(client: imaplib.IMAP4, mailbox: Mailbox, limit: int):
    """(uid, raw bytes, arrival time, whole size) of each message to take, oldest first."""
    _check(client.select(_quoted(mailbox.folder)), f"folder {mailbox.folder}")
    _, found = client.response("UIDVALIDITY")
    uidvalidity = int(found[0]) if found and found[0] else None
    if uidvalidity != mailbox.uidvalidity:
        # A new folder (or a recreated one): its UIDs start again.
        Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=uidvalidity, last_uid=0)
        mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
    data = _check(client.uid("SEARCH", "UNSEEN", "UID", f"{mailbox.last_uid + 1}:*"), "search")
    # "n:*" always matches the highest UID, even below n: keep only the new ones.
    uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > mailbox.last_uid)
    max_bytes = conf.max_email_bytes()
    for uid in uids[:limit]:
        raw, arrived, size = _fetch(client, uid, max_bytes)
        if raw is not None:
            yield uid, raw, arrived, size


def _fetch(
    client: imaplib.IMAP4, uid: int, max_bytes: int
) -> tuple[bytes | None, datetime | None, int | None]:
    """(raw bytes, arrival, the message's whole size). At most `max_bytes` are read, so that a
    message of gigabytes cannot fill the memory: a larger one comes back cut short."""
    what = f"(RFC822.SIZE INTERNALDATE BODY.PEEK[]<0.{max_bytes}>)"
    data = _check(client.uid("FETCH", str(uid), what), f"fetch {uid}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            size = _SIZE.search(item[0])
            return item[1], _arrival(item[0]), int(size.group(1)) if size else None
    return None, None, None  # expunged meanwhile


def _arrival(envelope: bytes) -> datetime | None:
    match = _INTERNALDATE.search(envelope)
    if match is None:
        return None
    try:
        moment = datetime.strptime(match.group(1).decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    except ValueError:
        return None
    return min(moment, timezone.now())


def _ingest(raw: bytes, arrived: datetime | None, uid: int, *, size: int | None):
    try:
        if size is not None and size > len(raw):  # cut short: over TICKETS_MAX_EMAIL_BYTES
            return keep_oversized_email(head=raw, size=size, received_at=arrived)
        return ingest_email(raw=raw, received_at=arrived)
    except Exception as error:  # the database went away, say: leave the message unseen
        logger.exception("message UID %s could not be ingested", uid)
        raise PollError(f"message UID {uid} could not be ingested: {error}") from error


def _mark_seen(client: imaplib.IMAP4, uid: int) -> str:
    """'' once the message is marked seen, else why not (the poll goes on: the message is in,
    and `last_uid` keeps it from being taken again)."""
    try:
        _check(client.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Seen)"), f"mark {uid} seen")
    except PollError as error:
        return f"could not mark message UID {uid} seen: {error}"
    return ""
