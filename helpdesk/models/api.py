"""What the REST API keeps: integrators' API keys with their scopes, and the responses of
creates sent with an `Idempotency-Key` (so a retried request never creates twice)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    """What an API key may do. A `:write` scope does not imply `:read`: grant both."""

    TICKETS_READ = "tickets:read", "Read tickets, their messages and timeline"
    TICKETS_WRITE = "tickets:write", "Create and change tickets, reply, note, assign, escalate"
    CUSTOMERS_READ = "customers:read", "Read and find customers and their history"
    CUSTOMERS_WRITE = "customers:write", "Create and update customers"
    POLICY_READ = "policy:read", "Read the service policy and compute deadlines"
    REPORTS_READ = "reports:read", "Read SLA compliance and response-time reports"
    WEBHOOKS_MANAGE = "webhooks:manage", "Manage webhook subscriptions and read deliveries"
    COMPLAINTS_READ = "complaints:read", "Read complaints, their timeline and letters"
    COMPLAINTS_WRITE = (
        "complaints:write",
        "Log complaints and take their workflow steps (as the key's owner's role allows)",
    )
    CHATS_READ = "chats:read", "Read chats with their transcripts and summaries"
    CHATS_WRITE = "chats:write", "Leave offline messages (each becomes a ticket)"
    SURVEYS_READ = "surveys:read", "Read survey responses and satisfaction figures"


class ApiKey(models.Model):
    """A key an integration sends as `Authorization: Token <key>`.

    The key is `hd_<prefix>_<secret>`: `prefix` finds the row, and only a SHA-256 hash of the
    secret is stored (the secret is random, 32 bytes, so a slow hash adds nothing). The whole key
    is shown once, when it is created. The API acts as `owner` (their name on the timeline).
    """

    name = models.CharField(max_length=100, help_text="Who uses the key, e.g. 'Telephony'.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(default=list, help_text="What the key may do (see Scope).")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_keys",
        help_text="The user the integration acts as; their actions carry this name.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} (hd_{self.prefix}_…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class IdempotencyRecord(models.Model):
    """The response to a create sent with an `Idempotency-Key`, kept for
    `API_IDEMPOTENCY_HOURS`: the same key with the same body returns it again; with another
    body it is refused (422)."""

    owner = models.CharField(max_length=64, help_text="'key:<id>' or 'user:<id>'.")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key")
        ]

    def __str__(self):
        return f"{self.owner} {self.key}"
