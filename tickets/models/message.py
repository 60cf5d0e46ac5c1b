from django.conf import settings
from django.db import models
from django.utils import timezone

from .ticket import Ticket


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"
    INTERNAL = "internal", "Internal note"


class AutoMessage(models.TextChoices):
    """What the desk sent by itself (empty: a person wrote it, or it came in)."""

    NONE = "", "—"
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"


class Message(models.Model):
    """One message on a ticket's timeline: an email in or out, or an internal note.

    `text` is the whole plain text (the HTML's text when a message had no plain part),
    `quoted_text` the quoted history trimmed from it for display (kept, never dropped), `html`
    the sanitised HTML. `message_id` is the email's Message-ID with its angle brackets; every
    outbound email gets our own, so replies to it thread back here.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=10, choices=Direction.choices)
    automatic = models.CharField(
        max_length=20, choices=AutoMessage.choices, default=AutoMessage.NONE, blank=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_messages",
    )
    from_name = models.CharField(max_length=200, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    to = models.TextField(blank=True, help_text="Addresses, comma-separated.")
    cc = models.TextField(blank=True, help_text="Addresses, comma-separated.")
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="What is shown: quoted history trimmed.")
    quoted_text = models.TextField(blank=True, help_text="The quoted history trimmed from text.")
    html = models.TextField(blank=True, help_text="Sanitised HTML.")
    notes = models.TextField(
        blank=True, help_text="What the desk noticed reading it (an attachment not kept, ...)."
    )
    message_id = models.CharField(max_length=500, blank=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True, help_text="Message-IDs, space-separated.")
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    raw = models.FileField(
        upload_to="tickets/messages/%Y/%m/%d/",
        blank=True,
        help_text="The email exactly as received or sent.",
    )
    inbound = models.ForeignKey(
        "tickets.InboundEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)
    queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its email was last handed to Celery to send; empty if that failed.",
    )
    # A bounce of this outbound email (a delivery report naming it): what the receiving
    # server said about the address it failed for (tickets.services.bounces).
    bounced_at = models.DateTimeField(
        null=True, blank=True, help_text="When a bounce said the email was not delivered."
    )
    bounce_recipient = models.CharField(max_length=320, blank=True)
    bounce_action = models.CharField(max_length=20, blank=True, help_text="e.g. 'failed'.")
    bounce_status = models.CharField(max_length=20, blank=True, help_text="e.g. '5.1.1'.")
    bounce_diagnostic = models.TextField(blank=True, help_text="The receiving server's words.")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(message_id=""),
                name="message_unique_message_id",
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_time"),
            models.Index(  # the few emails still to send: the send sweep's
                fields=["created_at"],
                name="message_unsent",
                condition=models.Q(direction="outbound", sent_at__isnull=True, send_error=""),
            ),
        ]

    def __str__(self):
        return f"{self.ticket.reference} {self.get_direction_display()}: {self.subject}"

    @property
    def reference_ids(self) -> list[str]:
        return self.references.split()


class Attachment(models.Model):
    """A file that came with (or goes out with) a message, stored through Django storage."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="tickets/attachments/%Y/%m/%d/", max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["message", "pk"]

    def __str__(self):
        return self.filename
