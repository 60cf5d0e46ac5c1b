"""Bounces of the desk's own email: the outbound message a bounce names is marked not
delivered, and whoever answers for it is told."""

from datetime import datetime

from django.urls import reverse

from helpdesk.services.notifications import notify

from ..email.delivery import RecipientStatus
from ..models import Direction, Message

BOUNCE_NOTIFICATION = "email.bounced"


def bounced_message(message_ids: tuple[str, ...]) -> Message | None:
    """The desk's own outbound message a bounce returns: the first of `message_ids` (the
    returned email's own Message-ID comes first) that is one of ours. One query."""
    if not message_ids:
        return None
    found = {
        m.message_id: m
        for m in Message.objects.select_related("ticket", "author").filter(
            message_id__in=message_ids, direction=Direction.OUTBOUND
        )
    }
    return next((found[i] for i in message_ids if i in found), None)


def failure_of(message: Message, statuses: tuple[RecipientStatus, ...]) -> RecipientStatus | None:
    """What failed for `message`: the report's failed recipient, that recipient of `message`
    first; None when the report failed nobody (a delay, a delivery notice)."""
    failed = [s for s in statuses if s.failed]
    if not failed:
        return None
    addressed = {a.strip().lower() for a in f"{message.to},{message.cc}".split(",") if a.strip()}
    return next((s for s in failed if s.recipient.lower() in addressed), failed[0])


def record_bounce(*, message: Message, failure: RecipientStatus, at: datetime) -> Message:
    """Mark `message` (ours, outbound) not delivered with what the receiving server said, and
    tell its author, or, for what the desk sent by itself (an acknowledgement), the ticket's
    assignee. Rule: a bounce changes nothing else (no status change, no reopening, no
    acknowledgement), so a mail server can never start a conversation with the desk."""
    message.bounced_at = at
    message.bounce_recipient = failure.recipient or _first_address(message.to)
    message.bounce_action = failure.action
    message.bounce_status = failure.status
    message.bounce_diagnostic = failure.diagnostic
    message.save(
        update_fields=[
            "bounced_at",
            "bounce_recipient",
            "bounce_action",
            "bounce_status",
            "bounce_diagnostic",
        ]
    )
    ticket = message.ticket
    what = "Your reply" if message.author_id else f"The {message.get_automatic_display().lower()}"
    why = " ".join(p for p in (failure.status, failure.diagnostic) if p) or "no reason given"
    notify(
        recipient_ids=[message.author_id or ticket.assignee_id],
        kind=BOUNCE_NOTIFICATION,
        message=(
            f"{what} on {ticket.reference} {ticket.subject} was not delivered to "
            f"{message.bounce_recipient}: {why}"
        ),
        url=reverse("tickets:ticket", args=[ticket.number]),
        now=at,
    )
    return message


def _first_address(addresses: str) -> str:
    return next((a.strip() for a in addresses.split(",") if a.strip()), "")
