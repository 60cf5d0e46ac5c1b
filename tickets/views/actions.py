"""Every change an agent makes on the ticket page: one POST per action, checked by its form,
carried out by its service.

A valid change redirects back to the ticket (with a message saying what was done); invalid
input, or a rule the service refuses, shows the page again with the form's errors (status
400), never a 500. CSRF applies to every one of them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from helpdesk.access import desk_staff_required
from helpdesk.forms import apply_service_errors

from ..access import TicketAction
from ..forms import (
    AssignForm,
    EscalateForm,
    MergeForm,
    NoteForm,
    PriorityForm,
    ReplyForm,
    ResolveForm,
    StatusForm,
)
from ..models import Priority, Status, Ticket
from ..services import (
    add_internal_note,
    assign_ticket,
    change_status,
    escalate_ticket,
    merge_tickets,
    resolve_ticket,
    send_reply,
    set_priority,
)
from .ticket import get_ticket, render_ticket_page


@dataclass(frozen=True)
class Done:
    """What an action did: the message shown, and the ticket to go back to."""

    message: str
    ticket: Ticket


def _reply(request, ticket, data) -> Done:
    message = send_reply(ticket=ticket, author=request.user, text=data["text"])
    return Done(f"Reply sent to {message.to}.", ticket)


def _note(request, ticket, data) -> Done:
    add_internal_note(ticket=ticket, author=request.user, text=data["text"])
    return Done("Internal note added.", ticket)


def _assign(request, ticket, data) -> Done:
    assignee = data["assignee"]
    assign_ticket(ticket=ticket, assignee=assignee, actor=request.user)
    who = assignee.get_username() if assignee is not None else "nobody"
    return Done(f"Assigned to {who}.", ticket)


def _status(request, ticket, data) -> Done:
    change_status(ticket=ticket, status=data["status"], actor=request.user)
    return Done(f"Status: {Status(data['status']).label}.", ticket)


def _priority(request, ticket, data) -> Done:
    set_priority(ticket=ticket, priority=data["priority"], actor=request.user)
    return Done(f"Priority: {Priority(data['priority']).label}.", ticket)


def _escalate(request, ticket, data) -> Done:
    event = escalate_ticket(ticket=ticket, actor=request.user, notes=data["notes"])
    return Done(f"Escalated to {event.new}.", ticket)


def _resolve(request, ticket, data) -> Done:
    resolve_ticket(ticket=ticket, actor=request.user, summary=data["summary"])
    return Done(f"{ticket.reference} resolved.", ticket)


def _merge(request, ticket, data) -> Done:
    target = data["target"]
    merge_tickets(source=ticket, target=target, actor=request.user)
    return Done(f"{ticket.reference} merged into {target.reference}.", target)


# action (the URL's last part and the form's prefix) -> (form, what it does)
ACTIONS: dict[str, tuple[type, Callable]] = {
    "reply": (ReplyForm, _reply),
    "note": (NoteForm, _note),
    "assign": (AssignForm, _assign),
    "status": (StatusForm, _status),
    "priority": (PriorityForm, _priority),
    "escalate": (EscalateForm, _escalate),
    "resolve": (ResolveForm, _resolve),
    "merge": (MergeForm, _merge),
}
TAKES_TICKET = (StatusForm, MergeForm)


@desk_staff_required
@require_POST
def ticket_action(request, number: int, action: str):
    ticket = get_ticket(number, user=request.user, action=TicketAction.ACT)
    form_class, run = ACTIONS[action]
    extra = {"ticket": ticket} if form_class in TAKES_TICKET else {}
    form = form_class(request.POST, prefix=action, **extra)
    if form.is_valid():
        try:
            done = run(request, ticket, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, done.message)
            return redirect("tickets:ticket", number=done.ticket.number)
    return render_ticket_page(request, get_ticket(number), bound={action: form}, status=400)
