"""Escalation of a ticket: to the supervisor with notes (the SOP), and a missed target recorded
on the timeline when the SLA clock breaches."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.policy.labels import target_label
from helpdesk.selectors.escalation import escalation_reaches
from helpdesk.services.notifications import notify

from ..models import Ticket, TicketEvent, TicketEventKind
from .tickets import _event, lock_ticket


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
        note=f"{target_label(target)} was due {due} and was missed.",
    )


ESCALATION_NOTIFICATION = "ticket.escalation"


@transaction.atomic
def escalate_ticket(
    *, ticket: Ticket, actor, notes: str, at: datetime | None = None
) -> TicketEvent:
    """Escalate the ticket to the supervisor, with notes.

    Rules (the SOP): an escalation without notes is refused; a resolved or closed ticket is not
    escalated. The escalation is an event on the timeline (who, when, to whom, the notes), and
    the people the one escalation rule names (`helpdesk.selectors.escalation`: the agent's
    supervisor, else their team's, else any supervisor, else the managers; the same for a chat)
    get an in-app notification linking to the ticket (and its email, sent by Celery after
    commit).
    """
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "Say why: an escalation needs notes for the supervisor."})
    at = at or timezone.now()
    ticket = lock_ticket(ticket)
    if ticket.is_done:
        raise ValidationError(f"{ticket.reference} is {ticket.get_status_display().lower()}.")
    recipients = escalation_reaches(escalated_by=actor)
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
