"""Live events for the desk, sent over the Redis channel layer to every agent's browser
(`tickets.consumers.DeskConsumer`) once the change is committed.

Group "tickets.desk" hears every new ticket and every new message; "tickets.ticket.<id>" the new
messages and changes of one ticket. A change of a ticket (status, assignee, priority,
escalation, resolution, merge: `ticket.updated`) goes to the groups that may see the ticket
(`tickets.visibility`). Events carry ids and display values only (status, priority, assignee's
username, team's name): a page shows them as text, and fetches anything more through its own
(permission-checked) views.

A broadcast never breaks the request that caused it (`helpdesk.realtime.group_send_on_commit`):
it runs after commit, and a channel layer that is down or slow is logged and given up.
"""

from helpdesk.realtime import group_send_on_commit

from .models import Message, Priority, Status, Ticket, TicketEvent
from .visibility import DESK_GROUP, Holder, audience, ticket_group
from .webhooks import emit_message_created, emit_ticket_created

TICKET_CREATED = "ticket.created"
MESSAGE_CREATED = "message.created"
TICKET_UPDATED = "ticket.updated"
STATUSES, PRIORITIES = dict(Status.choices), dict(Priority.choices)


def broadcast_ticket_created(ticket: Ticket) -> None:
    """Tell every desk a ticket was opened (after commit)."""
    event = {
        "type": TICKET_CREATED,
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
    }
    group_send_on_commit((DESK_GROUP,), event)
    emit_ticket_created(ticket)  # the integrators' webhook, also after commit


def broadcast_message_created(message: Message) -> None:
    """Tell every desk, and the pages of its ticket, a message was added (after commit)."""
    ticket = message.ticket
    event = {
        "type": MESSAGE_CREATED,
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "message_id": message.pk,
        "direction": message.direction,
    }
    group_send_on_commit((DESK_GROUP, ticket_group(ticket.pk)), event)
    emit_message_created(message)  # the integrators' webhook, also after commit


def broadcast_ticket_updated(
    ticket: Ticket,
    *,
    event: TicketEvent | None = None,
    change: str = "",
    previous: Holder | None = None,
) -> None:
    """Tell the desks that may see `ticket` (as saved) what it is now, after commit: its status,
    priority, assignee and team (ids and display values), what changed (`event`'s kind, or
    `change`) and, when merged, where it went. `previous` is the team and assignee it had
    before the change, if they changed: the desks that could see it then hear it too."""
    holders = [Holder(team_id=ticket.team_id, assignee_id=ticket.assignee_id)]
    if previous is not None and previous not in holders:
        holders.append(previous)
    assignee = ticket.assignee if ticket.assignee_id is not None else None
    team = ticket.team if ticket.team_id is not None else None
    merged_into = ticket.merged_into if ticket.merged_into_id is not None else None
    payload = {
        "type": TICKET_UPDATED,
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "event_id": event.pk if event is not None else None,
        "change": event.kind if event is not None else change,
        "status": ticket.status,
        "status_label": STATUSES.get(ticket.status, ticket.status),
        "priority": ticket.priority,
        "priority_label": PRIORITIES.get(ticket.priority, ticket.priority),
        "assignee_id": ticket.assignee_id,
        "assignee": assignee.get_username() if assignee is not None else "",
        "team_id": ticket.team_id,
        "team": team.name if team is not None else "",
        "merged_into": merged_into.reference if merged_into is not None else None,
        "merged_into_number": merged_into.number if merged_into is not None else None,
    }
    group_send_on_commit((*audience(holders), ticket_group(ticket.pk)), payload)
