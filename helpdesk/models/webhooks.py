"""Webhooks: integrators subscribe a URL to events; each event makes one delivery per matching
subscription, sent (signed, retried) by Celery after commit. See `helpdesk.webhooks`."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookSubscription(models.Model):
    url = models.URLField(max_length=500, help_text="Where events are POSTed (http or https).")
    events = models.JSONField(
        default=list, help_text="Event names, e.g. ['ticket.created']; ['*'] for every event."
    )
    secret = models.CharField(
        max_length=128,
        help_text="Signs every delivery: X-Helpdesk-Signature is sha256=HMAC(secret, "
        "'<timestamp>.<body>').",
    )
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.url} ({', '.join(self.events)})"

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one subscription, and how its sending went (the delivery log)."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=50)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.event} → {self.subscription.url} ({self.status})"
