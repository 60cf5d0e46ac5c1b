"""The phone channel on a ticket's timeline: calls logged by agents, voicemails left by
customers, and callbacks they asked for. Numbers are stored as `normalise_phone` writes them,
so the customer is found again by number whatever way it was typed."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpdesk.models import Customer

from .ticket import Ticket


class CallDirection(models.TextChoices):
    INBOUND = "inbound", "Inbound (the customer called)"
    OUTBOUND = "outbound", "Outbound (we called)"


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    VOICEMAIL_LEFT = "voicemail_left", "Voicemail left"
    WRONG_NUMBER = "wrong_number", "Wrong number"
    FAILED = "failed", "Call failed or dropped"


class Call(models.Model):
    """A phone call an agent logged on a ticket: who, which way, when, how long, how it went."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="calls")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="calls")
    direction = models.CharField(max_length=10, choices=CallDirection.choices)
    number = models.CharField(max_length=32, blank=True, help_text="Normalised; empty: withheld.")
    started_at = models.DateTimeField()
    duration = models.PositiveIntegerField(default=0, help_text="Seconds.")
    outcome = models.CharField(max_length=20, choices=CallOutcome.choices)
    notes = models.TextField(blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "started_at"], name="call_ticket_time"),
            models.Index(fields=["number", "-started_at"], name="call_number_time"),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} call {self.number}: {self.get_outcome_display()}"

    @property
    def is_answered(self) -> bool:
        return self.outcome == CallOutcome.ANSWERED


class Voicemail(models.Model):
    """A voicemail a customer left: a phone case, returned (called back) within the policy's
    `phone.first_response`. `returned_at` is set by the answered call that returned it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="voicemails")
    number = models.CharField(max_length=32, blank=True, help_text="Empty: number withheld.")
    received_at = models.DateTimeField()
    duration = models.PositiveIntegerField(default=0, help_text="Seconds.")
    recording = models.FileField(upload_to="tickets/voicemail/%Y/%m/%d/", blank=True)
    transcript = models.TextField(blank=True)
    notes = models.TextField(
        blank=True, help_text="What the desk noticed receiving it (a recording not kept, ...)."
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return_call = models.ForeignKey(
        Call,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="returned_voicemails",
        help_text="The answered call that returned it.",
    )

    class Meta:
        ordering = ["received_at", "pk"]
        indexes = [
            models.Index(fields=["ticket", "received_at"], name="voicemail_ticket_time"),
            models.Index(
                fields=["received_at"],
                name="voicemail_open",
                condition=models.Q(returned_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Voicemail from {self.number or 'a withheld number'}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None


class CallbackRequest(models.Model):
    """A customer's request to be called back, optionally at a preferred time: a phone case
    whose call back is due by the policy's `phone.first_response` (see `tickets.services.phone`
    for why the clock starts at the request and not at the preferred time)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callback_requests")
    number = models.CharField(max_length=32)
    preferred_time = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    call = models.ForeignKey(
        Call,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completed_callbacks",
        help_text="The answered call that did it.",
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = "callback request"
        indexes = [
            models.Index(fields=["ticket", "requested_at"], name="callback_ticket_time"),
            models.Index(
                fields=["requested_at"],
                name="callback_open",
                condition=models.Q(done_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"Callback to {self.number}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None
