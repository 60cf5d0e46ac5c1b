from django.db import models
from django.utils import timezone


class InboundStatus(models.TextChoices):
    PROCESSED = "processed", "Processed"
    DUPLICATE = "duplicate", "Duplicate"
    FAILED = "failed", "Failed"
    IGNORED = "ignored", "Ignored"


class InboundEmail(models.Model):
    """Every raw email the desk received, kept as it came: a message that cannot be read is
    marked failed (with the error) for a supervisor to see, never dropped.

    Ingestion keys on `message_id` (or `content_hash`, of the bytes, when there is none): the
    same email twice is a duplicate and changes nothing, so a duplicate is not stored again.
    """

    raw = models.FileField(upload_to="tickets/inbound/%Y/%m/%d/", max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    content_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the bytes.")
    message_id = models.CharField(max_length=500, blank=True)
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=InboundStatus.choices)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "inbound email"
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~models.Q(message_id=""),
                name="inbound_unique_message_id",
            )
        ]
        indexes = [models.Index(fields=["status", "-received_at"], name="inbound_status_time")]

    def __str__(self):
        return f"{self.get_status_display()}: {self.subject or self.message_id or self.pk}"
