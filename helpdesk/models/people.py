from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    SUPERVISOR = "supervisor", "Supervisor"
    MANAGER = "manager", "Customer service manager"


class Presence(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class Channel(models.TextChoices):
    CHAT = "chat", "Chat"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    WEB = "web", "Web form"
    API = "api", "API"
    COMPLAINT = "complaint", "Complaint"
    SURVEY = "survey", "Survey"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    calendar = models.CharField(
        max_length=50,
        blank=True,
        help_text="The policy's named calendar this team works to (its [calendars.NAME]); "
        "blank: the policy's default [calendar].",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgentProfile(models.Model):
    """A member of staff: their role (mirrored in a permission group), team, supervisor and
    presence. Agents are Django users; this holds what the desk needs about them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_agents",
    )
    presence = models.CharField(max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    presence_changed_at = models.DateTimeField(default=timezone.now)
    max_concurrent_chats = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Overrides the policy's chat concurrency limit for this agent; empty = policy.",
    )

    class Meta:
        indexes = [models.Index(fields=["role", "presence"])]

    def __str__(self):
        return f"{self.user.get_username()} ({self.get_role_display()})"


class Customer(models.Model):
    """A person who contacts us on any channel; found again by email or phone."""

    name = models.CharField(max_length=200, blank=True, help_text="Used to greet the customer.")
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(
        max_length=32, blank=True, db_index=True, help_text="Stored in E.164-like digits form."
    )
    external_id = models.CharField(max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
        help_text="The login of a customer who has one (for their own chats, tickets, surveys).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="customer_unique_email"
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="customer_unique_external_id",
            ),
        ]

    def __str__(self):
        return self.name or self.email or self.phone or f"Customer {self.pk}"


class Interaction(models.Model):
    """One entry of a customer's history: every contact on every channel lands here through
    `record_interaction`, so a returning customer's past is one query away."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    kind = models.CharField(max_length=50, help_text="What happened, e.g. 'ticket opened'.")
    summary = models.TextField(blank=True)
    occurred_at = models.DateTimeField(default=timezone.now)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_id = models.PositiveBigIntegerField(null=True, blank=True)
    case = GenericForeignKey("case_type", "case_id")

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"]),
            models.Index(fields=["case_type", "case_id"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.kind}"
