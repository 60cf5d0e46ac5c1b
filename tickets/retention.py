"""How tickets keep the policy's `[retention]` (helpdesk.privacy.retention): the raw emails of a
closed ticket are deleted (they are evidence, kept as received until then), and for
`closed_cases` everything that says who the customer was, once its time since closing passed."""

from datetime import datetime

from django.db.models import Max, Q, QuerySet

from helpdesk.models import RetentionKind
from helpdesk.privacy.retention import anonymous_customer, register_retention, release_customer
from tickets.models import (
    Attachment,
    Call,
    CallbackRequest,
    InboundEmail,
    Message,
    Status,
    Ticket,
    TicketEvent,
    TicketEventKind,
    Voicemail,
)

REMOVED = "(removed after the retention period)"


def tickets_closed_before(cutoff: datetime) -> QuerySet[Ticket]:
    """Closed tickets whose latest closing (on their timeline) is at or before `cutoff`."""
    closing = Q(events__kind=TicketEventKind.STATUS, events__new=Status.CLOSED)
    return (
        Ticket.objects.filter(status=Status.CLOSED)
        .annotate(closed_at=Max("events__created_at", filter=closing))
        .filter(closed_at__lte=cutoff)
    )


def delete_raw_emails(ticket: Ticket, now: datetime) -> int:
    """The stored .eml files of the ticket's emails are deleted; their record stays."""
    count = 0
    for inbound in InboundEmail.objects.filter(ticket=ticket).exclude(raw=""):
        inbound.raw.delete(save=False)
        InboundEmail.objects.filter(pk=inbound.pk).update(raw="")
        count += 1
    return count


def caseless_emails_before(cutoff: datetime) -> QuerySet[InboundEmail]:
    """Raw emails that never became part of a ticket (failed, set aside), received at or
    before `cutoff`: their receipt is their closing."""
    return InboundEmail.objects.filter(ticket__isnull=True, received_at__lte=cutoff).exclude(raw="")


def delete_caseless_raw_email(inbound: InboundEmail, now: datetime) -> int:
    inbound.raw.delete(save=False)
    InboundEmail.objects.filter(pk=inbound.pk).update(raw="")
    return 1


def anonymise_ticket(ticket: Ticket, now: datetime) -> int:
    """The ticket's emails, notes, calls and files emptied of what was written and who wrote
    it, and the ticket detached from its customer."""
    items = delete_raw_emails(ticket, now)
    for attachment in Attachment.objects.filter(message__ticket=ticket):
        attachment.file.delete(save=False)
        items += 1
    Attachment.objects.filter(message__ticket=ticket).delete()
    items += Message.objects.filter(ticket=ticket).update(
        subject="", text=REMOVED, quoted_text="", html="", notes="",
        from_name="", from_address="", to="", cc="",
    )  # fmt: skip
    items += TicketEvent.objects.filter(ticket=ticket).exclude(note="").update(note="")
    InboundEmail.objects.filter(ticket=ticket).update(subject="", from_address="")
    items += Call.objects.filter(ticket=ticket).update(
        customer=anonymous_customer(), number="", notes=""
    )
    items += Voicemail.objects.filter(ticket=ticket).update(number="", transcript="", notes="")
    items += CallbackRequest.objects.filter(ticket=ticket).update(number="", note="")
    Ticket.objects.filter(pk=ticket.pk).update(subject=REMOVED)
    return items + release_customer(case=ticket)


def register() -> None:
    register_retention(
        key=RetentionKind.RAW_EMAIL,
        model=Ticket,
        closed_before=tickets_closed_before,
        remove=delete_raw_emails,
    )
    register_retention(
        key=RetentionKind.RAW_EMAIL,
        model=InboundEmail,
        closed_before=caseless_emails_before,
        remove=delete_caseless_raw_email,
    )
    register_retention(
        key=RetentionKind.CLOSED_CASES,
        model=Ticket,
        closed_before=tickets_closed_before,
        remove=anonymise_ticket,
    )
