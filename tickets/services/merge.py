"""Merging a duplicate ticket into the ticket that carries on."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..events import broadcast_ticket_updated
from ..models import Message, Status, Ticket, TicketEvent, TicketEventKind
from .tickets import change_status


def _lock_both(source: Ticket, target: Ticket) -> tuple[Ticket, Ticket]:
    """Both tickets as they are now, locked in id order (so two merges never deadlock)."""
    locked = {
        t.pk: t
        for t in Ticket.objects.select_for_update(of=("self",))
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    }
    return locked[source.pk], locked[target.pk]


@transaction.atomic
def merge_tickets(*, source: Ticket, target: Ticket, actor, at: datetime | None = None) -> Ticket:
    """Merge the duplicate `source` into `target`; returns the source as saved.

    Rules: two different tickets; the source is neither resolved, closed nor merged already;
    the target is not closed or merged. Every message of the source moves to the target (with
    its Message-ID, so a customer's reply to any of them threads onto the target); the source
    is closed (its clocks stop) and records where it went (`merged_into`); both timelines say
    what happened, who did it and when, and the desks that may see either hear it (after
    commit).
    """
    if source.pk == target.pk:
        raise ValidationError({"target": "A ticket cannot be merged into itself."})
    at = at or timezone.now()
    source, target = _lock_both(source, target)
    if source.merged_into_id is not None or source.is_done:
        raise ValidationError(
            f"{source.reference} is {source.get_status_display().lower()}: only an open "
            "ticket can be merged."
        )
    if target.merged_into_id is not None or target.status == Status.CLOSED:
        raise ValidationError({"target": f"{target.reference} is closed: reopen it first."})
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    change_status(
        ticket=source,
        status=Status.CLOSED,
        actor=actor,
        at=at,
        note=f"Merged into {target.reference}.",
    )
    source.refresh_from_db()
    source.merged_into = target
    source.updated_at = at
    source.save(update_fields=["merged_into", "updated_at"])
    Ticket.objects.filter(pk=target.pk).update(updated_at=at)
    plural = "" if moved == 1 else "s"
    source_event, target_event = TicketEvent.objects.bulk_create(
        [
            TicketEvent(
                ticket=source,
                kind=TicketEventKind.MERGE,
                actor=actor,
                old=source.reference,
                new=target.reference,
                note=f"Merged into {target.reference}: {moved} message{plural} moved there.",
                created_at=at,
            ),
            TicketEvent(
                ticket=target,
                kind=TicketEventKind.MERGE,
                actor=actor,
                old=source.reference,
                new=target.reference,
                note=f"{source.reference} merged into this ticket: {moved} message{plural}.",
                created_at=at,
            ),
        ]
    )
    target.updated_at = at
    broadcast_ticket_updated(source, event=source_event)
    broadcast_ticket_updated(target, event=target_event)
    return source
