"""Reads of tickets: their clocks, and the ticket an email belongs to."""

import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from helpdesk.models import Clock
from helpdesk.models.sla import ClockState

from .models import Direction, Message, Ticket

REFERENCE_IN_SUBJECT = re.compile(r"\[#(\d{1,18})\]")


def ticket_clocks(*, ticket: Ticket, states: tuple[str, ...] | None = None) -> QuerySet[Clock]:
    """The SLA clocks of a ticket (only those in `states`, if given), in start order."""
    clocks = Clock.objects.filter(
        case_type=ContentType.objects.get_for_model(Ticket), case_id=ticket.pk
    )
    if states is not None:
        clocks = clocks.filter(state__in=states)
    return clocks.order_by("pk")


def running_clocks(*, ticket: Ticket) -> QuerySet[Clock]:
    return ticket_clocks(ticket=ticket, states=(ClockState.RUNNING,))


def paused_clocks(*, ticket: Ticket) -> QuerySet[Clock]:
    return ticket_clocks(ticket=ticket, states=(ClockState.PAUSED,))


def ticket_by_message_ids(*, message_ids: tuple[str, ...] | list[str]) -> Ticket | None:
    """The ticket of the first of `message_ids` (nearest first) that is one of its messages,
    ours included: one query."""
    if not message_ids:
        return None
    found = {
        m.message_id: m.ticket
        for m in Message.objects.filter(message_id__in=list(message_ids))
        .select_related("ticket__customer")
        .only("message_id", "ticket")
    }
    return next((found[i] for i in message_ids if i in found), None)


def references_in_subject(subject: str) -> list[int]:
    """The ticket numbers written as `[#1042]` in a subject, in order."""
    return [int(n) for n in REFERENCE_IN_SUBJECT.findall(subject or "")]


def ticket_by_reference(*, subject: str, sender: str | None = None) -> Ticket | None:
    """The ticket a subject's `[#1042]` names. With `sender`, only a ticket the sender already
    takes part in (the customer, or an address on one of its messages): a reference alone,
    which anyone can type, never lets a stranger write into someone else's ticket."""
    for number in references_in_subject(subject):
        ticket = Ticket.objects.select_related("customer").filter(number=number).first()
        if ticket is None:
            continue
        if sender is None or is_participant(ticket=ticket, address=sender):
            return ticket
    return None


def is_participant(*, ticket: Ticket, address: str) -> bool:
    address = (address or "").strip()
    if not address:
        return False
    if ticket.customer.email and ticket.customer.email.lower() == address.lower():
        return True
    return ticket.messages.filter(
        Q(from_address__iexact=address) | Q(to__icontains=address) | Q(cc__icontains=address)
    ).exists()


def thread_parent(*, ticket: Ticket) -> Message | None:
    """The latest email of the ticket (in or out; notes are not emails): what a new email
    from the desk answers."""
    return (
        ticket.messages.exclude(message_id="")
        .exclude(direction=Direction.INTERNAL)
        .order_by("-created_at", "-pk")
        .first()
    )
