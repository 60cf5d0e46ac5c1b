"""The tickets channel's webhook events (see `helpdesk.webhooks`): what their `data` holds.
Called by `tickets.events` and the ticket services; sent after commit."""

from helpdesk.webhooks import emit_event

from .models import Message, Ticket, TicketEvent


def ticket_payload(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "channel": ticket.channel,
        "status": ticket.status,
        "priority": ticket.priority,
        "customer_id": ticket.customer_id,
        "team_id": ticket.team_id,
        "assignee_id": ticket.assignee_id,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
    }


def emit_ticket_created(ticket: Ticket) -> None:
    emit_event(name="ticket.created", payload=ticket_payload(ticket), occurred_at=ticket.created_at)


def emit_ticket_updated(ticket: Ticket, event: TicketEvent) -> None:
    payload = ticket_payload(ticket)
    payload["change"] = {"kind": event.kind, "old": event.old, "new": event.new, "note": event.note}
    emit_event(name="ticket.updated", payload=payload, occurred_at=event.created_at)


def emit_message_created(message: Message) -> None:
    ticket = message.ticket
    payload = {
        "id": message.pk,
        "ticket_id": ticket.pk,
        "reference": ticket.reference,
        "direction": message.direction,
        "automatic": message.automatic,
        "author_id": message.author_id,
        "from_address": message.from_address,
        "subject": message.subject,
        "created_at": message.created_at,
    }
    emit_event(name="message.created", payload=payload, occurred_at=message.created_at)
