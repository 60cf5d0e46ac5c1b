from django.conf import settings
from django.db import models
from django.utils import timezone

from helpdesk.models import Customer, PolicyVersion, Team
from helpdesk.models.people import Channel
from helpdesk.policy.labels import target_label


class TicketChannel(models.TextChoices):
    """Where a ticket came from; the values are the core's `Channel` values."""

    EMAIL = Channel.EMAIL.value, Channel.EMAIL.label
    PHONE = Channel.PHONE.value, Channel.PHONE.label
    WEB = Channel.WEB.value, Channel.WEB.label
    CHAT = Channel.CHAT.value, Channel.CHAT.label
    API = Channel.API.value, Channel.API.label


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING_CUSTOMER = "pending_customer", "Pending customer"
    ON_HOLD = "on_hold", "On hold"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# Resolved or closed: the work on the ticket is done (its clocks stop; a new word from the
# customer reopens it). Every other status is work still to do: what the queues hold.
DONE_STATUSES: tuple[Status, ...] = (Status.RESOLVED, Status.CLOSED)
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s not in DONE_STATUSES)


class Ticket(models.Model):
    """A case: one customer's request on any channel, its messages and its SLA clocks.

    `number` comes from a database sequence (see `tickets.services.numbers`) and is what the
    customer sees as the reference, `#1042`.
    """

    number = models.PositiveBigIntegerField(unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=TicketChannel.choices)
    subject = models.CharField(max_length=300, blank=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    policy_version = models.ForeignKey(
        PolicyVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The policy version the ticket was opened under.",
    )
    linked_ticket = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="linked_from",
        help_text="The earlier (closed) ticket this one continues.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="The ticket this duplicate was merged into (its messages went there).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ticket_status_created"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["team", "status"], name="ticket_team_status"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer_created"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """The reference shown to the customer: `#1042`."""
        return f"#{self.number}"

    @property
    def is_done(self) -> bool:
        """Resolved or closed (`DONE_STATUSES`)."""
        return self.status in DONE_STATUSES


class TicketEventKind(models.TextChoices):
    STATUS = "status", "Status"
    ASSIGNEE = "assignee", "Assignee"
    PRIORITY = "priority", "Priority"
    ESCALATION = "escalation", "Escalation"
    NOTE = "note", "Note"
    MERGE = "merge", "Merge"
    TEAM = "team", "Team"


class TicketEvent(models.Model):
    """One change on a ticket's timeline: who changed what from what to what, and when.
    `actor` is empty when the desk itself made the change (an email reopened the ticket)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=TicketEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    old = models.CharField(max_length=200, blank=True)
    new = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticketevent_ticket_time")]

    def __str__(self):
        return f"{self.ticket.reference} {self.kind}: {self.old} → {self.new}"

    def _label(self, value: str) -> str:
        # A status or priority reads as its label ("Pending customer"), not its stored value.
        if self.kind == TicketEventKind.ESCALATION and self.actor_id is None:
            return target_label(value) if value else value  # the desk's: a missed target
        choices = {TicketEventKind.STATUS: Status, TicketEventKind.PRIORITY: Priority}
        kind = choices.get(self.kind)
        if kind is None or value not in kind.values:
            return value
        return kind(value).label

    @property
    def old_label(self) -> str:
        return self._label(self.old)

    @property
    def new_label(self) -> str:
        return self._label(self.new)


class TicketNumber(models.Model):
    """The sequence ticket numbers are drawn from: inserting a row takes the next value of the
    database's own sequence (PostgreSQL) or AUTOINCREMENT (SQLite), which never blocks another
    transaction and never hands out a number twice, even after a rollback."""

    class Meta:
        verbose_name = "ticket number"

    def __str__(self):
        return str(self.pk)
