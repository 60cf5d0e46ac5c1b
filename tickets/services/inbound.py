"""Email in: one raw message becomes a new ticket, a reply on its ticket, a bounce note, or a
kept failure, never a crash and never twice.

Rules:
- Idempotent: an email whose Message-ID the desk already has (on any inbound email or ticket
  message, ours included), or whose bytes it already has when there is no Message-ID, is a
  duplicate and changes nothing (it is not stored again).
- Kept: the raw bytes of every other email are stored first; one that cannot be read is marked
  failed with the reason (for a supervisor to see). Ingesting the same bytes again retries it.
  Whatever the email holds, `ingest_email` returns: an email over a cap (`EmailLimits`) is
  failed before any parsing, text PostgreSQL refuses (NUL, lone surrogates) is made storable,
  and only a database that is gone raises (nothing can be kept then).
- Threading: In-Reply-To or References naming any message of a ticket (ours included), or
  `[#1042]` in the subject when the sender already takes part in that ticket.
- A reply to a resolved ticket reopens it; to a closed one it reopens it too, or with
  TICKETS_REPLY_TO_CLOSED = "new" opens a new ticket linked to it. A reply to a ticket pending
  customer makes it open again, which resumes its clocks.
- A new ticket is acknowledged as `email.acknowledge` says (POLICY.md, "Acknowledgement"): "0s"
  at once, in this transaction (`acknowledge_new_ticket`); "D" at D unless an agent replies
  first (`acknowledge_when_due`); left out, never. An automated email is never acknowledged.
- Automated mail (auto-replies, bulk) never gets an acknowledgement and never reopens or
  resumes a ticket, so two help desks cannot loop; it still opens a ticket (without the
  acknowledge clock) or joins its thread.
- A bounce (a delivery report, or a mail server's bounce) becomes an internal note on the
  ticket whose email bounced, and the outbound message it names is marked not delivered, its
  author told (`tickets.services.bounces`); one of no email of ours is set aside (ignored).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from helpdesk.models.people import Channel
from helpdesk.services.people import find_or_create_customer, record_interaction

from .. import conf
from ..email import BOUNCE, EmailParseError, ParsedEmail, content_hash, parse_email
from ..email.body import storage_name
from ..events import broadcast_message_created
from ..models import (
    DONE_STATUSES,
    Attachment,
    Direction,
    InboundEmail,
    InboundStatus,
    Message,
    Status,
    Ticket,
)
from ..selectors import ticket_by_message_ids, ticket_by_reference
from .acknowledgement import acknowledge_new_ticket
from .bounces import bounced_message, failure_of, record_bounce
from .inbound_lookup import known_email
from .inbound_records import limited, save_failed, save_inbound, store_raw
from .tickets import add_event_note, change_status, open_ticket

logger = logging.getLogger(__name__)

NEW = "new"
REPLY = "reply"
DUPLICATE = "duplicate"
FAILED = "failed"
BOUNCED = "bounce"
AUTO = "auto"


@dataclass(frozen=True)
class IngestResult:
    """What became of one email. `kind` is "new", "reply", "duplicate", "failed", "bounce" or
    "auto" (an automated email: `opened` says whether it opened a ticket or joined one)."""

    kind: str
    ticket: Ticket | None = None
    inbound: InboundEmail | None = None
    opened: bool = False
    error: str = ""


UNKNOWN_BOUNCE = "set aside: a bounce for an unknown message"


def _parse(raw: bytes) -> tuple[ParsedEmail | None, str]:
    """The parsed email, or why it cannot be read (never an exception: `parse_email` measures
    the bytes against the caps before any parsing and turns whatever the parser raises into
    an `EmailParseError`)."""
    try:
        parsed = parse_email(
            raw, max_attachment_bytes=conf.max_attachment_bytes(), limits=conf.email_limits()
        )
    except EmailParseError as error:
        return None, str(error)
    return parsed, ""


def _earlier(
    *, message_id: str, digest: str, thread_ids: tuple[str, ...] = ()
) -> tuple[bool, InboundEmail | None, int | None]:
    """(whether the desk already has this email, an earlier failed attempt at it to replace,
    the id of the ticket of the nearest message of `thread_ids`). A failed attempt is not a
    duplicate: the email is tried again. One query (a second only to load a failed attempt)."""
    known = known_email(message_id=message_id, digest=digest, thread_ids=thread_ids)
    if known.duplicate:
        return True, None, known.thread_ticket_pk
    previous = InboundEmail.objects.get(pk=known.failed_pk) if known.failed_pk else None
    return False, previous, known.thread_ticket_pk


@dataclass
class _Email:
    """One raw email on its way in, and where its bytes were stored (once they are)."""

    raw: bytes
    digest: str
    received_at: datetime
    parsed: ParsedEmail | None = None
    stored_as: str = ""
    size: int | None = None  # of the whole email, when only its first bytes were read

    @property
    def message_id(self) -> str:
        return self.parsed.message_id if self.parsed is not None else ""

    def fields(self, previous: InboundEmail | None) -> dict:
        """The inbound email's fields; the bytes are stored the first time they are asked for."""
        if not self.stored_as:
            self.stored_as = store_raw(self.raw, self.digest, previous)
        parsed = self.parsed
        return {
            "raw": self.stored_as,
            "size": len(self.raw) if self.size is None else self.size,
            "content_hash": self.digest,
            "message_id": self.message_id,
            "from_address": limited(parsed.from_address if parsed else "", "from_address"),
            "subject": limited(parsed.subject if parsed else "", "subject"),
            "received_at": self.received_at,
        }


def ingest_email(*, raw: bytes, received_at: datetime | None = None) -> IngestResult:
    """Take in one raw RFC 5322 email (the rules are in the module's docstring).

    The email is parsed first, then taken in by one transaction (a savepoint inside a caller's
    transaction); if that fails, a second one keeps it as failed."""
    email = _Email(raw=raw, digest=content_hash(raw), received_at=received_at or timezone.now())
    email.parsed, error = _parse(raw)
    if email.parsed is not None:
        try:
            with transaction.atomic():
                return _take_in(email)
        except IntegrityError as integrity_error:
            if _earlier(message_id=email.message_id, digest=email.digest)[0]:
                return IngestResult(kind=DUPLICATE)  # the same email, ingested concurrently
            error = f"could not be stored ({integrity_error})"
        except (OperationalError, InterfaceError):
            raise  # the database is gone: nothing can be kept, the caller must stop
        except Exception as unexpected:  # never lose an email to a bug: keep it, say why
            logger.exception("email %s could not be ingested", email.message_id or email.digest)
            error = f"{type(unexpected).__name__}: {unexpected}"
    try:
        with transaction.atomic():
            return _keep_failed(email, error=error)
    except (OperationalError, InterfaceError):
        raise  # the database is gone: nothing can be kept, the caller must stop
    except Exception as failure:  # keep the bytes and the reason, without what was read
        logger.exception("email %s could not be kept as read", email.digest)
        email.parsed = None
        with transaction.atomic():
            return _keep_failed(email, error=f"{error} (then {type(failure).__name__})")


def _take_in(email: _Email) -> IngestResult:
    parsed = email.parsed
    duplicate, previous, thread_ticket_pk = _earlier(
        message_id=email.message_id,
        digest=email.digest,
        thread_ids=() if parsed.automated == BOUNCE else parsed.thread_ids,
    )
    if duplicate:
        return IngestResult(kind=DUPLICATE)
    return _process(
        parsed,
        previous=previous,
        fields=email.fields(previous),
        received_at=email.received_at,
        thread_ticket_pk=thread_ticket_pk,
    )


def _keep_failed(email: _Email, *, error: str) -> IngestResult:
    duplicate, previous, _ = _earlier(message_id=email.message_id, digest=email.digest)
    if duplicate:
        return IngestResult(kind=DUPLICATE)
    inbound = save_failed(previous, error=error, fields=email.fields(previous))
    logger.warning("email %s kept as failed: %s", email.message_id or email.digest, error)
    return IngestResult(kind=FAILED, inbound=inbound, error=error)


def _process(
    parsed: ParsedEmail,
    *,
    previous: InboundEmail | None,
    fields: dict,
    received_at: datetime,
    thread_ticket_pk: int | None,
):
    """Thread or open the ticket (`thread_ticket_pk`: the ticket its In-Reply-To/References
    name, found with the look-up for duplicates), then keep the inbound email (with its ticket)
    and its message. A failure undoes all of it, and the email is kept as failed."""
    if parsed.automated == BOUNCE:
        return _bounce(parsed, previous=previous, fields=fields, received_at=received_at)
    if thread_ticket_pk is not None:
        ticket = Ticket.objects.select_related("customer").get(pk=thread_ticket_pk)
    else:
        ticket = ticket_by_reference(subject=parsed.subject, sender=parsed.from_address)
    linked = None
    if (
        ticket is not None
        and ticket.status == Status.CLOSED
        and not parsed.is_automated
        and conf.reply_to_closed() == conf.NEW_LINKED
    ):
        linked, ticket = ticket, None
    opened = ticket is None
    if opened:
        customer = find_or_create_customer(name=parsed.from_name, email=parsed.from_address)
        ticket = open_ticket(
            customer=customer,
            subject=parsed.subject,
            channel=Channel.EMAIL,
            opened_at=received_at,
            linked_ticket=linked,
            acknowledge=not parsed.is_automated,
            acknowledged=not parsed.is_automated,  # at once: written below, in this transaction
        )
        if linked is not None:
            add_event_note(
                ticket=linked,
                text=f"A reply to this closed ticket opened {ticket.reference}.",
                at=received_at,
            )
    inbound = save_inbound(
        previous, status=InboundStatus.PROCESSED, error="", ticket=ticket, **fields
    )
    message = _save_message(parsed, ticket=ticket, inbound=inbound, received_at=received_at)
    if opened and not parsed.is_automated:
        acknowledge_new_ticket(ticket=ticket, replying_to=message, at=received_at)
    if not opened:
        record_interaction(
            customer=ticket.customer,
            channel=Channel.EMAIL,
            kind="email received",
            summary=parsed.subject,
            case=ticket,
            occurred_at=received_at,
        )
        reopened = not parsed.is_automated and _customer_wrote(ticket, at=received_at)
        if not reopened:  # (a change of status has set it already)
            Ticket.objects.filter(pk=ticket.pk).update(updated_at=received_at)
    kind = AUTO if parsed.is_automated else (NEW if opened else REPLY)
    return IngestResult(kind=kind, ticket=ticket, inbound=inbound, opened=opened)


def _customer_wrote(ticket: Ticket, *, at: datetime) -> bool:
    """The ball is back with us: a waiting, resolved or closed ticket is open again (True)."""
    if ticket.status in (Status.PENDING_CUSTOMER, *DONE_STATUSES):
        change_status(ticket=ticket, status=Status.OPEN, at=at, note="The customer wrote.")
        return True
    return False


def _bounce(
    parsed: ParsedEmail, *, previous: InboundEmail | None, fields: dict, received_at: datetime
):
    bounced = bounced_message(parsed.bounced_message_ids)
    ticket = (
        bounced.ticket
        if bounced is not None
        else ticket_by_message_ids(message_ids=parsed.bounced_message_ids + parsed.thread_ids)
        or ticket_by_reference(subject=parsed.bounced_subject)
    )
    if ticket is None:
        inbound = save_inbound(
            previous, status=InboundStatus.IGNORED, error=UNKNOWN_BOUNCE, **fields
        )
        return IngestResult(kind=BOUNCED, inbound=inbound)
    inbound = save_inbound(
        previous, status=InboundStatus.PROCESSED, error="", ticket=ticket, **fields
    )
    _save_message(
        parsed,
        ticket=ticket,
        inbound=inbound,
        received_at=received_at,
        direction=Direction.INTERNAL,
        text=f"An email to the customer could not be delivered.\n\n{parsed.text}".strip(),
    )
    failure = failure_of(bounced, parsed.bounced_recipients) if bounced is not None else None
    if failure is not None:
        record_bounce(message=bounced, failure=failure, at=received_at)
    return IngestResult(kind=BOUNCED, ticket=ticket, inbound=inbound)


def _save_message(
    parsed: ParsedEmail,
    *,
    ticket: Ticket,
    inbound: InboundEmail,
    received_at: datetime,
    direction: str = Direction.INBOUND,
    text: str | None = None,
) -> Message:
    notes = list(parsed.notes)
    if parsed.automated and parsed.automated != BOUNCE:
        notes.insert(0, f"Sent automatically ({parsed.automated_reason}): not acknowledged.")
    message = Message.objects.create(
        ticket=ticket,
        direction=direction,
        from_name=limited(parsed.from_name, "from_name", Message),
        from_address=limited(parsed.from_address, "from_address", Message),
        to=", ".join(parsed.to),
        cc=", ".join(parsed.cc),
        subject=limited(parsed.subject, "subject", Message),
        text=parsed.display_text if text is None else text,
        quoted_text="" if text is not None else parsed.quoted_text,
        html=parsed.html,
        notes="\n".join(notes),
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        content_hash=parsed.content_hash,
        raw=inbound.raw.name,
        inbound=inbound,
        created_at=received_at,
    )
    attachments = []
    for found in parsed.attachments:
        attachment = Attachment(
            message=message,
            filename=found.filename,
            content_type=limited(found.content_type, "content_type", Attachment),
            size=found.size,
            inline=found.inline,
            content_id=limited(found.content_id, "content_id", Attachment),
        )
        attachment.file.save(storage_name(found.filename), ContentFile(found.content), save=False)
        attachments.append(attachment)
    Attachment.objects.bulk_create(attachments)
    broadcast_message_created(message)
    return message


def keep_oversized_email(
    *, head: bytes, size: int, received_at: datetime | None = None
) -> IngestResult:
    """An email larger than TICKETS_MAX_EMAIL_BYTES, of which only `head` (its first bytes) was
    read, so that no email can fill the memory of the process reading it: kept failed with
    `head` and its whole `size`, never parsed (and never retried: it is not all there)."""
    limit = conf.max_email_bytes()
    email = _Email(
        raw=head,
        digest=content_hash(head),
        received_at=received_at or timezone.now(),
        size=size,
    )
    error = (
        f"the email is larger than the {limit} bytes limit (TICKETS_MAX_EMAIL_BYTES): it is "
        f"{size} bytes, of which only the first {len(head)} were read and kept"
    )
    with transaction.atomic():
        return _keep_failed(email, error=error)


def retry_inbound_email(*, inbound: InboundEmail) -> IngestResult:
    """Ingest a failed inbound email again from its kept bytes (after a fix, say). Anything
    but a failed one is left alone and reported as a duplicate; one of which only the first
    bytes were kept stays failed."""
    if inbound.status != InboundStatus.FAILED:
        return IngestResult(kind=DUPLICATE, ticket=inbound.ticket, inbound=inbound)
    with inbound.raw.open("rb") as file:
        raw = file.read()
    if len(raw) < inbound.size:
        return IngestResult(kind=FAILED, inbound=inbound, error=inbound.error)
    return ingest_email(raw=raw, received_at=inbound.received_at)
