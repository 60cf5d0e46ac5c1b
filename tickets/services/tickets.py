"""The life of a ticket: opened under the policy in force with its channel's clocks; every
change of status, assignee and priority an event on its timeline.

Clock rules (the policy's promises):
- a ticket runs the `acknowledge`, `first_response` and `resolution` targets its channel's
  section of the policy sets (email, web, API and chat follow-ups use `[channels.email]`, phone
  tickets `[channels.phone]`);
- pending customer pauses every running clock; leaving pending customer resumes them;
- resolved and closed stop every clock not yet stopped;
- reopened (resolved or closed, then any other status: the customer wrote again, or an agent
  reopened it), the ticket runs `first_response` and `resolution` again, each a new round from
  the moment it reopens, as the ticket's own policy version sets them (`REOPEN_TARGETS`). The
  customer is owed an answer, and a resolution, again; `acknowledge` is not restarted, since an
  acknowledgement is owed to a new case only and a reply to a ticket gets none. The clocks of
  earlier rounds stay as they ended, for the reports.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.events import announce_conversation_resolved
from helpdesk.models import Customer, Team
from helpdesk.models.people import Channel
from helpdesk.policy import ServicePolicy
from helpdesk.services.people import record_interaction
from helpdesk.services.policy import policy_for_new_case, service_policy_for
from helpdesk.services.sla import (
    assign_clocks_for,
    pause_clock,
    restart_clocks_for,
    resume_clock,
    retarget_clocks_for,
    retarget_note,
    start_clocks,
    stop_clocks_for,
)

from ..events import broadcast_ticket_created, broadcast_ticket_updated
from ..models import (
    DONE_STATUSES,
    Priority,
    Status,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketNumber,
)
from ..selectors import paused_clocks, running_clocks
from ..visibility import Holder
from ..webhooks import emit_ticket_updated

# A ticket number is the sequence's value plus this, so the first ticket is #1000.
FIRST_NUMBER = 1000
TARGETS = ("acknowledge", "first_response", "resolution")
REOPEN_TARGETS = ("first_response", "resolution")  # run again when a ticket reopens


def policy_section(channel: str) -> str:
    """The policy section whose targets a ticket of `channel` runs."""
    return "phone" if channel == TicketChannel.PHONE else "email"


def target_name(ticket: Ticket, target: str) -> str:
    """`email.first_response` for an email ticket's "first_response"."""
    return f"{policy_section(ticket.channel)}.{target}"


def acknowledges_at_once(policy: ServicePolicy, ticket: Ticket) -> bool:
    """Whether the policy acknowledges a new ticket like this one at once (its section's
    `acknowledge`, for the ticket's priority, is "0s"); a later acknowledgement is the due
    handler's (`acknowledge_when_due`)."""
    within = policy.targets(priority=ticket.priority).get(target_name(ticket, "acknowledge"))
    return within is not None and within.amount == 0 and within.kind in ("service", "calendar")


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
    acknowledged: bool = False,
) -> Ticket:
    """Open a ticket for `customer` under the policy version in force at `opened_at`.

    Rules: the ticket gets the next number; the clocks of its channel's section that the policy
    sets start at `opened_at`; the opening is recorded on the customer's history (by `actor`,
    when staff opened it). The acknowledge clock (POLICY.md, "Acknowledgement") starts only
    when an acknowledgement is owed (`acknowledge`: not to an auto-reply, nor to a case the
    customer has just talked to us about) and can be sent: the customer has an email address,
    by which email and phone cases are acknowledged. `acknowledged`: the caller writes the
    acknowledgement with the opening when the policy says "at once" (`acknowledges_at_once`),
    so the clock then starts met; otherwise it runs, and its due handler acknowledges at D
    unless an agent's reply came first.
    """
    if channel not in TicketChannel.values:
        raise ValidationError({"channel": f"'{channel}' is not a ticket channel."})
    if priority not in Priority.values:
        raise ValidationError({"priority": f"'{priority}' is not a priority."})
    # Checked first, then one transaction, without a savepoint of its own inside a caller's: a
    # failure here fails the caller's transaction too.
    with transaction.atomic(savepoint=False):
        opened_at = opened_at or timezone.now()
        version, policy = policy_for_new_case(now=opened_at)
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
        acknowledge = acknowledge and bool(customer.email)
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
            policy_version=version,
            new_case=True,
            # Acknowledged with the opening (`queue_acknowledgement` in the same transaction, at
            # `opened_at`): the acknowledge clock starts met, so there is nothing to stop later.
            met=[target_name(ticket, "acknowledge")]
            if acknowledged and acknowledges_at_once(policy, ticket)
            else [],
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


def _event(
    ticket: Ticket,
    *,
    kind: str,
    actor,
    old: str,
    new: str,
    at: datetime,
    note="",
    previous: Holder | None = None,
):
    """The change on the timeline, told to integrators (webhook) and to the desks that may see
    the ticket (`previous`: its team and assignee before, when they changed), after commit."""
    event = TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, old=old, new=new, note=note, created_at=at
    )
    emit_ticket_updated(ticket, event)  # the integrators' webhook, after commit
    broadcast_ticket_updated(ticket, event=event, previous=previous)
    return event


@transaction.atomic
def change_status(
    *, ticket: Ticket, status: str, actor=None, at: datetime | None = None, note: str = ""
) -> Ticket:
    """Set the ticket's status; returns the ticket as saved.

    Rules: an event records who changed it from what to what (`actor` None: the desk itself,
    e.g. a customer's email); pending customer pauses the running clocks, leaving it resumes
    them; resolved and closed stop every clock; leaving resolved or closed (a reopening) starts
    a new round of `REOPEN_TARGETS` at `at` (see the module's docstring). Setting the status it
    has changes nothing.
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
    if old in DONE_STATUSES and status not in DONE_STATUSES:
        _restart_clocks(ticket, at=at)  # reopened: a new round (paused below when pending)
    if status == Status.PENDING_CUSTOMER:
        for clock in running_clocks(ticket=ticket):
            pause_clock(clock=clock, at=at)
    elif status in DONE_STATUSES:
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


def _restart_clocks(ticket: Ticket, *, at: datetime) -> list:
    """A reopened ticket's new round of `REOPEN_TARGETS` (those its policy version sets)."""
    targets = service_policy_for(ticket.policy_version).targets()
    return restart_clocks_for(
        case=ticket,
        targets=[
            name for target in REOPEN_TARGETS if (name := target_name(ticket, target)) in targets
        ],
        at=at,
        assignee=ticket.assignee,
        policy_version=ticket.policy_version,
    )


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
    previous = Holder(team_id=ticket.team_id, assignee_id=ticket.assignee_id)
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
        previous=previous,
    )
    assign_clocks_for(case=ticket, assignee=assignee)
    return ticket


@transaction.atomic
def set_priority(
    *, ticket: Ticket, priority: str, actor=None, at: datetime | None = None
) -> Ticket:
    """Set the ticket's priority, recorded as an event. The same priority changes nothing.

    Rule: the targets still counting take the new priority's durations from their start
    (`retarget_clocks_for`); the event's note says each new due time."""
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
    changes = retarget_clocks_for(case=ticket, priority=priority, at=at)
    _event(
        ticket,
        kind=TicketEventKind.PRIORITY,
        actor=actor,
        old=old,
        new=priority,
        at=at,
        note=retarget_note(changes),
    )
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
    if ticket.is_done:
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


@transaction.atomic
def move_ticket_to_team(
    *, ticket: Ticket, team: Team | None, actor=None, at: datetime | None = None
) -> Ticket:
    """Move the ticket to `team` (None: to no team); returns the ticket as saved.

    Rules: the move is an event on the timeline (the teams' names, old and new) and a
    ticket.updated webhook. The ticket goes to the new team's queue: an assignee who is not a
    member of the new team is unassigned (a second event, through `assign_ticket`, so the clocks
    have nobody answerable until one of the team's agents takes it); one who is a member keeps
    it. Taken off every team, it keeps its assignee. Moving it to the team it is with changes
    nothing.
    """
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    if ticket.team_id == (team.pk if team is not None else None):
        return ticket
    old = ticket.team.name if ticket.team is not None else ""
    # The old team's desks must hear that the ticket left their queue.
    previous = Holder(team_id=ticket.team_id, assignee_id=ticket.assignee_id)
    ticket.team = team
    ticket.updated_at = at
    ticket.save(update_fields=["team", "updated_at"])
    new = team.name if team is not None else ""
    _event(
        ticket, kind=TicketEventKind.TEAM, actor=actor, old=old, new=new, at=at, previous=previous
    )
    outsider = (
        team is not None
        and ticket.assignee_id is not None
        and not team.members.filter(user_id=ticket.assignee_id).exists()
    )
    if outsider:
        ticket = assign_ticket(ticket=ticket, assignee=None, actor=actor, at=at)
    return ticket
