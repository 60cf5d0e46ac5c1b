from django.conf import settings
from django.db import models
from django.utils import timezone


class PolicyVersion(models.Model):
    """One published version of the service policy document. The version in force is the latest
    whose effective date has come; every clock records the version it started under."""

    version = models.CharField(max_length=50, unique=True)
    effective = models.DateField(db_index=True)
    document = models.TextField(help_text="The policy document (TOML) exactly as published.")
    parsed = models.JSONField(help_text="The validated, parsed form of the document.")
    approved_by = models.CharField(max_length=200)
    change_note = models.TextField(blank=True)
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_policy_versions",
    )

    class Meta:
        ordering = ["-effective", "-published_at"]
        get_latest_by = ["effective", "published_at"]

    def __str__(self):
        return f"Policy {self.version} (effective {self.effective:%Y-%m-%d})"


class PolicyReview(models.Model):
    """A recorded review of a policy version (`document.review_every_months`): the version is
    read again and kept as it is. The next review falls due that many months after the latest."""

    version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewed_by = models.CharField(max_length=200, help_text="Who reviewed it.")
    note = models.TextField(help_text="What the review found.")
    reviewed_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recorded_policy_reviews",
    )

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self):
        return f"Review of policy {self.version.version} by {self.reviewed_by}"
