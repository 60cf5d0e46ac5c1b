"""Reads of tickets: their clocks, the ticket an email belongs to, the timeline, and the
callbacks and voicemails due."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from helpdesk.models import Clock, Customer
from helpdesk.models.sla import ClockState
from helpdesk.selectors.sla import DeskClock
from helpdesk.services.people import normalise_phone

from .models import (
    DONE_STATUSES,
    CallbackRequest,
    Direction,
    Message,
    Ticket,
    TicketEvent,
    Voicemail,
)

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
        if ticket is not None and ticket.merged_into_id is not None:
            # A duplicate merged away: its conversation carries on in the ticket it went into.
            ticket = Ticket.objects.select_related("customer").get(pk=ticket.merged_into_id)
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


# -- the ticket page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One moment of a ticket's timeline: `kind` ("message", "event", or a channel's own, such
    as a call), when, the object, and the template that shows it (given `entry`)."""

    kind: str
    at: datetime
    item: object
    template: str


def ticket_for_desk(*, number: int) -> Ticket | None:
    """The ticket with reference `number`, with what its page shows loaded (one query)."""
    return (
        Ticket.objects.select_related(
            "customer", "assignee", "team", "policy_version", "linked_ticket", "merged_into"
        )
        .filter(number=number)
        .first()
    )


def ticket_timeline(*, ticket: Ticket) -> list[TimelineEntry]:
    """Everything that happened on the ticket, oldest first: its messages (with authors and
    attachments) and its events (with who made them). A fixed number of queries, however long
    the timeline; a channel adds its own entries here (calls, voicemails)."""
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    events = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    entries = [
        TimelineEntry("message", m.created_at, m, "tickets/timeline/_message.html")
        for m in messages
    ]
    entries += [
        TimelineEntry("event", e.created_at, e, "tickets/timeline/_event.html") for e in events
    ]
    entries += phone_timeline_entries(ticket=ticket)
    entries.sort(key=lambda entry: (entry.at, TIMELINE_ORDER.get(entry.kind, 9), entry.item.pk))
    return entries


# -- the phone channel ----------------------------------------------------------------------

PHONE_FIRST_RESPONSE = "phone.first_response"
# Timeline entries at the same moment: what the customer sent or left first, then the call,
# then the changes they brought (a call answered opens the ticket).
TIMELINE_ORDER = {"message": 0, "voicemail": 1, "callback": 2, "call": 3, "event": 4}


def phone_timeline_entries(*, ticket: Ticket) -> list[TimelineEntry]:
    """The phone channel's entries of a ticket's timeline: calls (at their start, with the
    agent), voicemails (at their arrival) and callback requests (at the request), with who
    returned them. Three queries."""
    return [
        *(
            TimelineEntry("call", c.started_at, c, "tickets/phone/_call.html")
            for c in ticket.calls.select_related("agent")
        ),
        *(
            TimelineEntry("voicemail", v.received_at, v, "tickets/phone/_voicemail.html")
            for v in ticket.voicemails.select_related("returned_by")
        ),
        *(
            TimelineEntry("callback", c.requested_at, c, "tickets/phone/_callback.html")
            for c in ticket.callback_requests.select_related("done_by")
        ),
    ]


@dataclass(frozen=True)
class DueCallback:
    """A voicemail or callback request waiting for its call back, as the desk lists it:
    `clock` is its ticket's `phone.first_response` (None if the policy sets no such target),
    whose due time is when the call back is due."""

    kind: str  # "callback" or "voicemail"
    item: CallbackRequest | Voicemail
    clock: DeskClock | None

    @property
    def ticket(self) -> Ticket:
        return self.item.ticket

    @property
    def since(self) -> datetime:
        """When the customer asked: the request, or the voicemail's arrival."""
        return self.item.requested_at if self.kind == "callback" else self.item.received_at

    @property
    def preferred_time(self) -> datetime | None:
        return self.item.preferred_time if self.kind == "callback" else None

    @property
    def due_at(self) -> datetime | None:
        return self.clock.clock.due_at if self.clock is not None else None

    @property
    def preferred_after_due(self) -> bool:
        """The customer prefers a time later than the policy's promise."""
        return bool(self.preferred_time and self.due_at and self.preferred_time > self.due_at)

    @property
    def sort_key(self) -> tuple:
        due = self.item.due_at  # annotated; None (no clock) sorts last
        return (due is None, due or self.since, self.since, self.kind, self.item.pk)


def _waiting(queryset: QuerySet, *, team) -> QuerySet:
    first_response = Clock.objects.filter(
        case_type=ContentType.objects.get_for_model(Ticket),
        case_id=OuterRef("ticket_id"),
        target=PHONE_FIRST_RESPONSE,
    ).order_by("-round")  # the latest round: a reopened ticket's call back is due again
    queryset = queryset.exclude(ticket__status__in=DONE_STATUSES)
    if team is not None:
        queryset = queryset.filter(ticket__team=team)
    return queryset.select_related("ticket__customer", "ticket__assignee", "ticket__team").annotate(
        due_at=Subquery(first_response.values("due_at")[:1]),
        clock_id=Subquery(first_response.values("pk")[:1]),
    )


def callbacks_due(*, team=None, now: datetime | None = None, limit: int = 200) -> list[DueCallback]:
    """Voicemails not yet returned and callback requests not yet done, on tickets not resolved
    or closed (of `team`, if given), the soonest due first: due is their ticket's
    `phone.first_response`; those without one come last, oldest first. Three queries however
    many there are; at most `limit`."""
    now = now or timezone.now()
    order = (F("due_at").asc(nulls_last=True),)
    callbacks = list(
        _waiting(CallbackRequest.objects.filter(done_at__isnull=True), team=team).order_by(
            *order, "requested_at", "pk"
        )[:limit]
    )
    voicemails = list(
        _waiting(Voicemail.objects.filter(returned_at__isnull=True), team=team).order_by(
            *order, "received_at", "pk"
        )[:limit]
    )
    clock_ids = {item.clock_id for item in [*callbacks, *voicemails] if item.clock_id}
    clocks = {c.pk: DeskClock.of(c, now=now) for c in Clock.objects.filter(pk__in=clock_ids)}
    due = [
        *(DueCallback("callback", c, clocks.get(c.clock_id)) for c in callbacks),
        *(DueCallback("voicemail", v, clocks.get(v.clock_id)) for v in voicemails),
    ]
    return sorted(due, key=lambda entry: entry.sort_key)[:limit]


def customer_by_number(*, number: str) -> Customer | None:
    """The customer `find_or_create_customer` would find by this phone number (the earliest
    with it), without creating anyone; None for nobody or a number that is not one."""
    try:
        number = normalise_phone(number)
    except ValidationError:
        return None
    if not number:
        return None
    return Customer.objects.filter(phone=number).order_by("pk").first()


def open_tickets_of(*, customer: Customer, limit: int = 20) -> list[Ticket]:
    """The customer's tickets not resolved or closed, newest first."""
    return list(customer.tickets.exclude(status__in=DONE_STATUSES).order_by("-created_at")[:limit])
