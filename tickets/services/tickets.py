"""The life of a ticket: opened under the policy in force with its channel's clocks; every
change of status, assignee and priority an event on its timeline.

Clock rules (the policy's promises):
- a ticket runs the `acknowledge`, `first_response` and `resolution` targets its channel's
  section of the policy sets (email, web, API and chat follow-ups use `[channels.email]`, phone
  tickets `[channels.phone]`);
- pending customer pauses every running clock; leaving pending customer resumes them;
- resolved and closed stop every clock not yet stopped. A reopened ticket keeps its clocks as
  they ended (each target runs once per ticket).
"""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.events import announce_conversation_resolved
from helpdesk.models import Customer, Role, Team
from helpdesk.models.people import Channel
from helpdesk.selectors.sla import escalation_recipients
from helpdesk.services.notifications import notify
from helpdesk.services.people import record_interaction
from helpdesk.services.policy import policy_in_force
from helpdesk.services.sla import (
    assign_clocks_for,
    pause_clock,
    resume_clock,
    start_clocks,
    stop_clocks_for,
)

from ..events import broadcast_ticket_created
from ..models import (
    Priority,
    Status,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketNumber,
)
from ..selectors import paused_clocks, running_clocks
from ..webhooks import emit_ticket_updated

# A ticket number is the sequence's value plus this, so the first ticket is #1000.
FIRST_NUMBER = 1000
TARGETS = ("acknowledge", "first_response", "resolution")


def policy_section(channel: str) -> str:
    """The policy section whose targets a ticket of `channel` runs."""
    return "phone" if channel == TicketChannel.PHONE else "email"


def target_name(ticket: Ticket, target: str) -> str:
    """`email.first_response` for an email ticket's "first_response"."""
    return f"{policy_section(ticket.channel)}.{target}"


def next_ticket_number() -> int:
    """A number no other ticket has or will have (see `TicketNumber`)."""
    return TicketNumber.objects.create().pk + FIRST_NUMBER - 1


def lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket as it is now in the database, locked until the transaction ends."""
    return (
        Ticket.objects.select_for_update(of=("self",)).select_related("customer").get(pk=ticket.pk)
    )


def open_ticket(
    *,
    customer: Customer,
    subject: str,
    channel: str,
    opened_at: datetime | None = None,
    team: Team | None = None,
    assignee=None,
    priority: str = Priority.NORMAL,
    linked_ticket: Ticket | None = None,
    actor=None,
    acknowledge: bool = True,
) -> Ticket:
    """Open a ticket for `customer` under the policy version in force at `opened_at`.

    Rules: the ticket gets the next number; the clocks of its channel's section that the policy
    sets start at `opened_at` (without `acknowledge`, the acknowledge clock does not: no
    acknowledgement is owed, e.g. to an auto-reply); the opening is recorded on the customer's
    history (by `actor`, when staff opened it).
    """
    if channel not in TicketChannel.values:
        raise ValidationError({"channel": f"'{channel}' is not a ticket channel."})
    if priority not in Priority.values:
        raise ValidationError({"priority": f"'{priority}' is not a priority."})
    # Checked first, then one transaction, without a savepoint of its own inside a caller's: a
    # failure here fails the caller's transaction too.
    with transaction.atomic(savepoint=False):
        opened_at = opened_at or timezone.now()
        version, policy = policy_in_force(now=opened_at)
        max_subject = Ticket._meta.get_field("subject").max_length
        ticket = Ticket.objects.create(
            number=next_ticket_number(),
            channel=channel,
            subject=(subject or "").strip()[:max_subject],
            customer=customer,
            team=team,
            assignee=assignee,
            priority=priority,
            status=Status.NEW,
            policy_version=version,
            linked_ticket=linked_ticket,
            created_at=opened_at,
            updated_at=opened_at,
        )
        targets = policy.targets()
        start_clocks(
            case=ticket,
            targets=[
                name
                for target in TARGETS
                if (name := target_name(ticket, target)) in targets
                and (acknowledge or target != "acknowledge")
            ],
            started_at=opened_at,
            assignee=assignee,
        )
        record_interaction(
            customer=customer,
            channel=Channel(channel),
            kind="ticket opened",
            summary=f"{ticket.reference} {ticket.subject}".strip(),
            case=ticket,
            agent=actor,
            occurred_at=opened_at,
        )
        broadcast_ticket_created(ticket)
        return ticket


def _event(ticket: Ticket, *, kind: str, actor, old: str, new: str, at: datetime, note=""):
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, old=old, new=new, note=note, created_at=at
    )
    emit_ticket_updated(ticket, event)  # the integrators' webhook, after commit
    return event


@transaction.atomic
def change_status(
    *, ticket: Ticket, status: str, actor=None, at: datetime | None = None, note: str = ""
) -> Ticket:
    """Set the ticket's status; returns the ticket as saved.

    Rules: an event records who changed it from what to what (`actor` None: the desk itself,
    e.g. a customer's email); pending customer pauses the running clocks, leaving it resumes
    them; resolved and closed stop every clock. Setting the status it has changes nothing.
    """
    if status not in Status.values:
        raise ValidationError({"status": f"'{status}' is not a status."})
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    old = ticket.status
    if old == status:
        return ticket
    ticket.status = status
    ticket.updated_at = at
    ticket.save(update_fields=["status", "updated_at"])
    _event(ticket, kind=TicketEventKind.STATUS, actor=actor, old=old, new=status, at=at, note=note)
    if status == Status.PENDING_CUSTOMER:
        for clock in running_clocks(ticket=ticket):
            pause_clock(clock=clock, at=at)
    elif status in (Status.RESOLVED, Status.CLOSED):
        stop_clocks_for(case=ticket, at=at)
        if status == Status.RESOLVED:  # surveys (or any app) reacts: helpdesk/events.py
            announce_conversation_resolved(
                conversation=ticket,
                customer=ticket.customer,
                channel=ticket.channel,
                policy_section=policy_section(ticket.channel),
                agent=ticket.assignee,
                at=at,
            )
    elif old == Status.PENDING_CUSTOMER:
        for clock in paused_clocks(ticket=ticket):
            resume_clock(clock=clock, at=at)
    return ticket


def _user_label(user) -> str:
    return user.get_username() if user is not None else ""


@transaction.atomic
def assign_ticket(*, ticket: Ticket, assignee, actor=None, at: datetime | None = None) -> Ticket:
    """Give the ticket to `assignee` (a user, or None to unassign); they become answerable for
    its open clocks. Assigning it to whom it is assigned changes nothing."""
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    if ticket.assignee_id == (assignee.pk if assignee is not None else None):
        return ticket
    old = _user_label(ticket.assignee)
    ticket.assignee = assignee
    ticket.updated_at = at
    ticket.save(update_fields=["assignee", "updated_at"])
    _event(
        ticket,
        kind=TicketEventKind.ASSIGNEE,
        actor=actor,
        old=old,
        new=_user_label(assignee),
        at=at,
    )
    assign_clocks_for(case=ticket, assignee=assignee)
    return ticket


@transaction.atomic
def set_priority(
    *, ticket: Ticket, priority: str, actor=None, at: datetime | None = None
) -> Ticket:
    """Set the ticket's priority, recorded as an event. The same priority changes nothing."""
    if priority not in Priority.values:
        raise ValidationError({"priority": f"'{priority}' is not a priority."})
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    old = ticket.priority
    if old == priority:
        return ticket
    ticket.priority = priority
    ticket.updated_at = at
    ticket.save(update_fields=["priority", "updated_at"])
    _event(ticket, kind=TicketEventKind.PRIORITY, actor=actor, old=old, new=priority, at=at)
    return ticket


def add_event_note(*, ticket: Ticket, text: str, actor=None, at: datetime | None = None):
    """A note on the timeline from the desk itself (a linked ticket opened, a send failed)."""
    return _event(
        ticket,
        kind=TicketEventKind.NOTE,
        actor=actor,
        old="",
        new="",
        at=at or timezone.now(),
        note=text,
    )


@transaction.atomic
def record_breach(*, ticket_id: int, target: str, due_at: datetime) -> TicketEvent | None:
    """A missed target on the ticket's timeline (the SLA breach handler calls this)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return None
    due = timezone.localtime(due_at).strftime("%d %b %Y %H:%M %Z")
    return _event(
        ticket,
        kind=TicketEventKind.ESCALATION,
        actor=None,
        old="",
        new=target,
        at=timezone.now(),
        note=f"{target} was due {due} and was missed.",
    )


ESCALATION_NOTIFICATION = "ticket.escalation"


def escalation_supervisors(*, actor) -> list[int]:
    """Who an agent's escalation reaches: their own supervisor, else their team's supervisors,
    else every supervisor, else every manager; never the agent themselves."""
    for role in (Role.SUPERVISOR, Role.MANAGER):
        found = escalation_recipients(assignee_ids=[actor.pk], roles=[role])
        ids = [pk for pk in found.for_role(role, actor.pk) if pk != actor.pk]
        if ids:
            return ids
    return []


@transaction.atomic
def escalate_ticket(
    *, ticket: Ticket, actor, notes: str, at: datetime | None = None
) -> TicketEvent:
    """Escalate the ticket to the supervisor, with notes.

    Rules (the SOP): an escalation without notes is refused; a resolved or closed ticket is not
    escalated. The escalation is an event on the timeline (who, when, to whom, the notes), and
    the supervisor (see `escalation_supervisors`) gets an in-app notification linking to the
    ticket (and its email, sent by Celery after commit).
    """
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "Say why: an escalation needs notes for the supervisor."})
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    if ticket.is_closed:
        raise ValidationError(f"{ticket.reference} is {ticket.get_status_display().lower()}.")
    recipients = escalation_supervisors(actor=actor)
    names = ", ".join(
        get_user_model()
        .objects.filter(pk__in=recipients)
        .order_by("username")
        .values_list("username", flat=True)
    )
    event = _event(
        ticket,
        kind=TicketEventKind.ESCALATION,
        actor=actor,
        old="",
        new=(names or "no supervisor found")[:200],
        at=at,
        note=notes,
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=at)
    who = actor.get_full_name() or actor.get_username()
    notify(
        recipient_ids=recipients,
        kind=ESCALATION_NOTIFICATION,
        message=f"{who} escalated {ticket.reference} {ticket.subject}: {notes}",
        url=reverse("tickets:ticket", args=[ticket.number]),
        now=at,
    )
    return event


@transaction.atomic
def resolve_ticket(*, ticket: Ticket, actor, summary: str, at: datetime | None = None) -> Ticket:
    """Resolve the ticket with a summary of the resolution (the SOP: close with a summary).

    Rules: the summary is required; the ticket becomes resolved (every clock stops) with the
    summary as the event's note, and the summary lands on the customer's history. A resolved or
    closed ticket is refused.
    """
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "Summarise the resolution before resolving."})
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    if ticket.is_closed:
        raise ValidationError(f"{ticket.reference} is already {ticket.get_status_display()}.")
    ticket = change_status(ticket=ticket, status=Status.RESOLVED, actor=actor, at=at, note=summary)
    record_interaction(
        customer=ticket.customer,
        channel=Channel(ticket.channel),
        kind="ticket resolved",
        summary=f"{ticket.reference}: {summary}",
        case=ticket,
        agent=actor,
        occurred_at=at,
    )
    return ticket
