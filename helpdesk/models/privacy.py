from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class RetentionKind(models.TextChoices):
    """The `[retention]` keys: what is removed once the policy no longer keeps it."""

    CHAT_TRANSCRIPTS = "chat_transcripts", "Chat transcript deleted"
    RAW_EMAIL = "raw_email", "Raw emails deleted"
    SECURE_DETAILS = "secure_details", "Secure details deleted"
    CLOSED_CASES = "closed_cases", "Case anonymised"


class RetentionRecord(models.Model):
    """That the data of one kind was removed from one case, once: when, and how many items.
    Never the value removed."""

    kind = models.CharField(max_length=20, choices=RetentionKind.choices)
    case_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    case_id = models.PositiveBigIntegerField()
    removed_at = models.DateTimeField(default=timezone.now)
    items = models.PositiveIntegerField(default=0, help_text="How many items were removed.")

    class Meta:
        ordering = ["-removed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "case_type", "case_id"], name="retention_once_per_case"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.case_type.model} {self.case_id}"
