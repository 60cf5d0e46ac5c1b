"""Messages from the desk: agents' replies and internal notes (the automatic acknowledgement is
`acknowledgement.py`); and the customer's own words when they reach us on another channel (a
message left on chat).

Every outbound email carries our own Message-ID (so the customer's answer threads back onto its
ticket), In-Reply-To and References of the thread (so their mail client threads it), and the
ticket's reference in the subject. It is sent by Celery after commit
(`tickets.tasks.send_ticket_message`), with retries; a message is sent at most once.

A message whose send could not be handed to Celery (the broker was down) is not lost: it is
marked so (`queued_at` empty) and beat's `requeue_unsent_messages` hands it over again once it
has waited TICKETS_SEND_GRACE_SECONDS (see `requeue_unsent_messages`).
"""

import logging
import re
from datetime import datetime, timedelta
from email.utils import make_msgid
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from helpdesk.models.people import Channel
from helpdesk.services.people import record_interaction
from helpdesk.services.policy import service_policy_for
from helpdesk.services.sla import stop_clocks_for

from .. import conf
from ..events import broadcast_message_created
from ..models import Direction, Message, Status, Ticket
from ..selectors import REFERENCE_IN_SUBJECT, thread_parent
from .tickets import add_event_note, change_status, lock_ticket, target_name

logger = logging.getLogger(__name__)

SEND_TASK = "tickets.tasks.send_ticket_message"
MAX_REFERENCES = 20
_REPLY_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


def new_message_id(ticket: Ticket) -> str:
    """A Message-ID of our own domain (TICKETS_MESSAGE_ID_DOMAIN)."""
    return make_msgid(idstring=f"ticket{ticket.number}", domain=conf.message_id_domain())


def base_subject(subject: str) -> str:
    """The subject without reply prefixes ("Re:", "Fwd:", ...) and ticket references."""
    subject = REFERENCE_IN_SUBJECT.sub("", subject or "")
    return " ".join(_REPLY_PREFIX.sub("", subject).split())


def reply_subject(ticket: Ticket) -> str:
    """ "Re: <subject> [#1042]": the reference lets a reply thread even without its headers."""
    return f"Re: {base_subject(ticket.subject) or 'Your request'} [{ticket.reference}]"


def _thread_headers(parent: Message | None) -> tuple[str, str]:
    """(In-Reply-To, References) for a new message answering `parent`."""
    if parent is None:
        return "", ""
    references = [*parent.reference_ids, parent.message_id][-MAX_REFERENCES:]
    return parent.message_id, " ".join(references)


def _queue_send(message: Message) -> None:
    """Hand the message's send to Celery after commit (the message was saved with `queued_at`
    set: see `hand_to_celery`)."""
    transaction.on_commit(partial(hand_to_celery, message.pk), robust=True)


def hand_to_celery(message_id: int) -> bool:
    """Queue the send task of message `message_id`; False when the broker refused it, and then
    the message's `queued_at` is emptied, so the send sweep queues it again later."""
    try:
        current_app.signature(SEND_TASK, args=[message_id]).apply_async()
    except Exception:
        logger.warning("ticket message %s not queued: sent later by the sweep", message_id,
                       exc_info=True)  # fmt: skip
        Message.objects.filter(pk=message_id, sent_at__isnull=True).update(queued_at=None)
        return False
    return True


def requeue_unsent_messages(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Queue again the emails still waiting to be sent; returns how many were queued.

    Rules: an outbound message not sent and not given up (no `send_error`) that is older than
    TICKETS_SEND_GRACE_SECONDS is queued again when its send was never handed to Celery (the
    broker was down: `queued_at` empty), or when it was handed over more than
    TICKETS_SEND_REQUEUE_AFTER_SECONDS ago (longer than the task's own retries last: the task
    was lost). A message is taken by one sweep at a time (rows locked, skipping those locked
    by a send in progress) and marked queued before it is handed over after commit. Sending
    stays once only: `deliver_message` sends nothing for a message already sent, so a message
    queued twice is still sent once. Work goes in batches of `batch_size` by id.
    """
    now = now or timezone.now()
    waiting = Message.objects.filter(
        direction=Direction.OUTBOUND,
        sent_at__isnull=True,
        send_error="",
        created_at__lte=now - timedelta(seconds=settings.TICKETS_SEND_GRACE_SECONDS),
    ).filter(
        Q(queued_at__isnull=True)
        | Q(queued_at__lte=now - timedelta(seconds=settings.TICKETS_SEND_REQUEUE_AFTER_SECONDS))
    )
    queued, last_id = 0, 0
    while True:
        with transaction.atomic():
            ids = list(
                waiting.filter(pk__gt=last_id)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return queued
            Message.objects.filter(pk__in=ids).update(queued_at=now)
            for message_id in ids:
                transaction.on_commit(partial(hand_to_celery, message_id), robust=True)
        queued += len(ids)
        last_id = ids[-1]


@transaction.atomic
def send_reply(*, ticket: Ticket, author, text: str, at: datetime | None = None) -> Message:
    """A public reply to the customer by email, sent by Celery after commit.

    Rules: the reply answers the latest message of the thread (In-Reply-To, References) and
    carries our own Message-ID and the reference in the subject; it meets the first_response
    target, and the acknowledge target if it still runs (only a public reply does: the
    customer has heard from us, so no automatic acknowledgement follows); a new ticket becomes
    open; the reply is recorded on the customer's history.
    """
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "A reply needs some text."})
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    if not ticket.customer.email:
        raise ValidationError({"text": "The customer has no email address to reply to."})
    in_reply_to, references = _thread_headers(thread_parent(ticket=ticket))
    message = Message.objects.create(
        ticket=ticket,
        direction=Direction.OUTBOUND,
        author=author,
        from_address=conf.from_address(),
        to=ticket.customer.email,
        subject=reply_subject(ticket),
        text=text,
        message_id=new_message_id(ticket),
        in_reply_to=in_reply_to,
        references=references,
        created_at=at,
        queued_at=timezone.now(),
    )
    stop_clocks_for(
        case=ticket,
        targets=[target_name(ticket, "first_response"), target_name(ticket, "acknowledge")],
        at=at,
    )
    if ticket.status == Status.NEW:
        change_status(ticket=ticket, status=Status.OPEN, actor=author, at=at)
    else:
        Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    record_interaction(
        customer=ticket.customer,
        channel=Channel.EMAIL,
        kind="email sent",
        summary=message.subject,
        case=ticket,
        agent=author,
        occurred_at=at,
    )
    _queue_send(message)
    broadcast_message_created(message)
    return message


@transaction.atomic
def add_internal_note(*, ticket: Ticket, author, text: str, at: datetime | None = None) -> Message:
    """A note for staff only: never emailed, and never meets a target."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "A note needs some text."})
    at = at or timezone.now()
    message = Message.objects.create(
        ticket=ticket, direction=Direction.INTERNAL, author=author, text=text, created_at=at
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    broadcast_message_created(message)
    return message


@transaction.atomic
def record_customer_message(
    *,
    ticket: Ticket,
    text: str,
    from_name: str = "",
    from_address: str = "",
    at: datetime | None = None,
) -> Message:
    """The customer's own words, written elsewhere than in an email (a message left on chat),
    as their message on the ticket: inbound, from the name and address they gave, so the desk
    shows it as the customer's and a reply answers it. Never emailed; it meets no target."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "A message needs some text."})
    at = at or timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        direction=Direction.INBOUND,
        from_name=from_name[: Message._meta.get_field("from_name").max_length],
        from_address=from_address,
        subject=ticket.subject,
        text=text,
        created_at=at,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    broadcast_message_created(message)
    return message


def build_email(message: Message) -> EmailMessage:
    """The email of an outbound message, as Django's mail backend sends it."""
    ticket = message.ticket
    if message.automatic:
        body = message.text
    else:
        body = render_to_string(
            "email/ticket_reply.txt",
            {
                "ticket": ticket,
                "reference": ticket.reference,
                "text": message.text,
                "agent_name": _agent_name(message.author),
                "company": service_policy_for(ticket.policy_version).document.company,
            },
        ).strip()
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if message.automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMessage(
        subject=message.subject,
        body=body + "\n",
        from_email=conf.from_email(),
        to=[a.strip() for a in message.to.split(",") if a.strip()],
        cc=[a.strip() for a in message.cc.split(",") if a.strip()],
        headers=headers,
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as file:
            email.attach(attachment.filename, file.read(), attachment.content_type)
    return email


def _agent_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@transaction.atomic
def deliver_message(*, message_id: int) -> Message | None:
    """Send an outbound message's email, once: a message already sent (or not outbound, or
    gone) is left alone. The row is locked while sending, so two runs never both send; a mail
    error propagates (the task retries) and leaves the message unsent."""
    message = (
        Message.objects.select_for_update(of=("self",))
        .select_related("ticket__policy_version", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.direction != Direction.OUTBOUND or message.sent_at:
        return message
    email = build_email(message)
    connection = get_connection(fail_silently=False, timeout=settings.EMAIL_TIMEOUT or 30)
    connection.send_messages([email])
    message.sent_at = timezone.now()
    message.send_error = ""
    message.raw.save(f"{message.pk}.eml", ContentFile(email.message().as_bytes()), save=False)
    message.save(update_fields=["sent_at", "send_error", "raw"])
    return message


@transaction.atomic
def record_send_failure(*, message_id: int, error: str) -> None:
    """After the last retry: the message stays unsent, and the ticket's timeline says why."""
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None or message.sent_at:
        return
    message.send_error = error[:2000] or "unknown error"
    message.save(update_fields=["send_error"])
    what = "acknowledgement" if message.automatic else "reply"
    add_event_note(
        ticket=message.ticket,
        text=f"The {what} to {message.to} could not be sent: {message.send_error}",
    )
    logger.warning("ticket message %s not sent: %s", message_id, message.send_error)
