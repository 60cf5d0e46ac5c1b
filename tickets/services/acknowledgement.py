"""The automatic acknowledgement of a new ticket, as the policy's `acknowledge` target says:
at once for "0s" (`acknowledge_new_ticket`), at its due time unless an agent's reply came first
(`acknowledge_when_due`, the SLA registry's due handler), none when the key is left out.
It is an outbound message like any other (`outbound.py`): threaded, sent by Celery after commit.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from helpdesk import sla_registry
from helpdesk.models import Clock
from helpdesk.policy import Duration
from helpdesk.services.policy import service_policy_for
from helpdesk.services.sla import stop_clocks_for

from .. import conf
from ..events import broadcast_message_created
from ..models import AutoMessage, Direction, Message, Ticket, TicketChannel
from .outbound import _queue_send, _thread_headers, base_subject, new_message_id
from .tickets import acknowledges_at_once, target_name


def promised_time(duration: Duration) -> str:
    """A policy duration as a customer reads it: "8h" is "8 working hours", "2wd" is
    "2 working days", "7d" is "7 days", "30m" is "30 minutes"."""
    if duration.kind == "working_days":
        n, unit = duration.amount, "working day"
    elif duration.kind == "calendar":
        if duration.amount % 86_400 == 0:
            n, unit = duration.amount // 86_400, "day"
        else:
            n, unit = -(-duration.amount // 3600), "hour"
    elif duration.amount == 0:
        return "a moment"
    elif duration.amount % 3600 == 0:
        n, unit = duration.amount // 3600, "working hour"
    elif duration.amount % 60 == 0:
        n, unit = duration.amount // 60, "minute"
    else:
        n, unit = duration.amount, "second"
    return f"{n} {unit}{'' if n == 1 else 's'}"


@transaction.atomic(savepoint=False)  # never caught halfway: no savepoint needed
def queue_acknowledgement(
    *,
    ticket: Ticket,
    replying_to: Message | None,
    at: datetime | None = None,
    clock_met: bool = False,
) -> Message:
    """The automatic acknowledgement of a new ticket (templates/email/ticket_acknowledgement*),
    with its reference and the response time the policy promises (a phone case: the call back
    within `phone.first_response`), sent by Celery after commit to the sender of `replying_to`
    (threaded on it), or to the customer's address.

    Rule: the acknowledge target is met when the acknowledgement is written, at `at` (the
    email's arrival): with an "at once" target ("0s") the seconds Celery takes to send it must
    not count as a breach. If it finally cannot be sent, the ticket's timeline says so.
    It carries `Auto-Submitted: auto-replied` (RFC 3834), so other systems do not answer it.
    """
    at = at or timezone.now()
    policy = service_policy_for(ticket.policy_version)
    targets = policy.targets()
    first_response = targets.get(target_name(ticket, "first_response"))
    context = {
        "ticket": ticket,
        "reference": ticket.reference,
        "customer_name": ticket.customer.name or "",
        "company": policy.document.company,
        "subject": base_subject(ticket.subject) or "Your request",
        "promised": promised_time(first_response) if first_response else "",
        "by_phone": ticket.channel == TicketChannel.PHONE,
    }
    subject = " ".join(
        render_to_string("email/ticket_acknowledgement_subject.txt", context).split()
    )
    # (a message taken on another channel has no Message-ID to answer)
    in_reply_to, references = _thread_headers(
        replying_to if replying_to is not None and replying_to.message_id else None
    )
    message = Message.objects.create(
        ticket=ticket,
        direction=Direction.OUTBOUND,
        automatic=AutoMessage.ACKNOWLEDGEMENT,
        from_address=conf.from_address(),
        to=(replying_to.from_address if replying_to else "") or ticket.customer.email,
        subject=subject[: Message._meta.get_field("subject").max_length],
        text=render_to_string("email/ticket_acknowledgement.txt", context).strip(),
        message_id=new_message_id(ticket),
        in_reply_to=in_reply_to,
        references=references,
        created_at=at,
        queued_at=timezone.now(),
    )
    if not clock_met:  # (`open_ticket(acknowledged=True)` started it met already)
        stop_clocks_for(case=ticket, targets=[target_name(ticket, "acknowledge")], at=at)
    _queue_send(message)
    broadcast_message_created(message)
    return message


def acknowledge_new_ticket(
    *, ticket: Ticket, replying_to: Message | None = None, at: datetime | None = None
) -> Message | None:
    """The acknowledgement a ticket just opened with `open_ticket(acknowledged=True)` is owed
    now: written at `at` when its policy acknowledges at once ("0s") and the customer has an
    address (the clock started met); else None: with a later `acknowledge` the clock runs and
    `acknowledge_when_due` keeps it, and without one no acknowledgement is owed."""
    policy = service_policy_for(ticket.policy_version)
    if not ticket.customer.email or not acknowledges_at_once(policy, ticket):
        return None
    return queue_acknowledgement(ticket=ticket, replying_to=replying_to, at=at, clock_met=True)


def acknowledge_when_due(clock: Clock, now: datetime) -> bool:
    """Keep `email.acknowledge` or `phone.acknowledge` at its due time (the due handler of the
    SLA registry, `tickets.handlers`): nobody has replied within D, so the automatic
    acknowledgement goes now, answering the customer's first message; True (the clock stops as
    met). Never twice: a ticket that has one already is kept as it is. False for a case that is
    not a ticket or a customer without an address (the clock breaches). The ticket is locked
    without waiting: `sla_registry.NotNow` when another transaction holds it."""
    if ContentType.objects.get_for_id(clock.case_type_id).model_class() is not Ticket:
        return False
    try:
        ticket = (
            Ticket.objects.select_for_update(of=("self",), nowait=True)
            .select_related("customer", "policy_version")
            .filter(pk=clock.case_id)
            .first()
        )
    except DatabaseError:
        raise sla_registry.NotNow from None
    if ticket is None:
        return False
    if ticket.messages.filter(automatic=AutoMessage.ACKNOWLEDGEMENT).exists():
        return True
    first = ticket.messages.filter(direction=Direction.INBOUND).order_by("created_at", "pk").first()
    if not ticket.customer.email and not (first and first.from_address):
        return False
    queue_acknowledgement(ticket=ticket, replying_to=first, at=now, clock_met=True)
    return True
