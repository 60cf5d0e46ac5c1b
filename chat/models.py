"""Models of the chat channel: a session between a customer and an agent, its numbered
messages (already redacted), and the record of each redaction (never the value)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from helpdesk.models import Customer, PolicyVersion, Team


class ChatStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    MISSED = "missed", "Missed"


# A chat still going on (waiting for an agent, or with one), and one that has ended.
LIVE_STATUSES: tuple[ChatStatus, ...] = (ChatStatus.WAITING, ChatStatus.ACTIVE)
ENDED_STATUSES: tuple[ChatStatus, ...] = (ChatStatus.CLOSED, ChatStatus.MISSED)


class EndReason(models.TextChoices):
    """Why a chat ended without an agent's answer (blank: it was closed the usual way)."""

    ABANDONED = "abandoned", "The customer left before an answer"
    LEFT_MESSAGE = "left_message", "The customer left a message"


class Sender(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"


class RedactionKind(models.TextChoices):
    CARD = "card", "Card number"
    SSN = "ssn", "US social security number"
    NINO = "nino", "UK national insurance number"
    DRIVING_LICENCE = "driving_licence", "UK driving licence number"


class ChatSession(models.Model):
    """One live chat. The customer reaches it through a signed token of `key` (see
    `chat.services.tokens`); `last_seq` is the sequence number of its latest message."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="chats")
    status = models.CharField(max_length=10, choices=ChatStatus.choices, default=ChatStatus.WAITING)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="chats"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chats",
    )
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_offers",
        help_text="The agent routing offered this waiting chat to.",
    )
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(blank=True, help_text="The pre-chat question, redacted.")
    started_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    close_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the agent asked the customer to confirm."
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True)
    customer_confirmed_resolved = models.BooleanField(null=True, blank=True)
    last_seq = models.PositiveIntegerField(default=0)
    wait_notice_due_at = models.DateTimeField(null=True, blank=True)
    wait_notice_sent_at = models.DateTimeField(null=True, blank=True)
    offer_due_at = models.DateTimeField(null=True, blank=True)
    offer_sent_at = models.DateTimeField(null=True, blank=True)
    redaction_warned = models.BooleanField(default=False)
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalation_notes = models.TextField(blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The follow-up ticket this chat became, if any.",
    )
    # What the visitor gave in this chat, as given: anyone may type anyone's email, so these
    # are a claim, shown to the agent beside the record the email matched, never written on it.
    name_given = models.CharField(
        max_length=200, blank=True, help_text="The name the visitor gave (they are greeted by it)."
    )
    email_given = models.EmailField(
        blank=True, help_text="The email address the visitor gave (a transcript goes there)."
    )
    phone_given = models.CharField(
        max_length=32, blank=True, help_text="A callback number the visitor gave in this chat."
    )
    matched_record = models.BooleanField(
        default=False,
        help_text="The email given matched a customer already on record.",
    )
    transcript_requested_at = models.DateTimeField(
        null=True, blank=True, help_text="When the transcript was emailed (once per chat)."
    )
    customer_seen_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the customer's widget was last heard from (its heartbeat).",
    )
    end_reason = models.CharField(
        max_length=20,
        choices=EndReason.choices,
        blank=True,
        help_text="Why it ended unanswered (missed): the customer left, or left a message.",
    )

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "started_at"], name="chat_status_started"),
            models.Index(fields=["agent", "status"], name="chat_agent_status"),
            models.Index(
                fields=["wait_notice_due_at"],
                name="chat_waiting_notice",
                condition=models.Q(status="waiting", wait_notice_sent_at__isnull=True),
            ),
            models.Index(
                fields=["offer_due_at"],
                name="chat_waiting_offer",
                condition=models.Q(status="waiting", offer_sent_at__isnull=True),
            ),
            # The abandonment sweep: waiting chats whose customer went quiet.
            models.Index(
                fields=["customer_seen_at"],
                name="chat_waiting_seen",
                condition=models.Q(status="waiting"),
            ),
        ]

    def __str__(self):
        return f"Chat {self.pk} ({self.get_status_display()})"


class ChatMessage(models.Model):
    """One line of a transcript. `text` is stored already redacted; `seq` numbers the lines of
    a session from 1 with no gap, so a reconnecting client asks for what follows its last."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=10, choices=Sender.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField()
    client_id = models.CharField(
        max_length=64, blank=True, help_text="The sender's own id of the message, to de-duplicate."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="chat_message_unique_seq"),
            models.UniqueConstraint(
                fields=["session", "sender", "client_id"],
                condition=~models.Q(client_id=""),
                name="chat_message_unique_client_id",
            ),
        ]
        indexes = [models.Index(fields=["session", "sender", "created_at"], name="chat_msg_rate")]

    def __str__(self):
        return f"{self.session_id}#{self.seq} {self.sender}"


class Redaction(models.Model):
    """That a sensitive number was masked in a message: its kind and when, never the value."""

    session = models.ForeignKey(ChatSession, on_delete=models.CASCADE, related_name="redactions")
    message = models.ForeignKey(
        ChatMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="redactions"
    )
    kind = models.CharField(max_length=20, choices=RedactionKind.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} masked in chat {self.session_id}"


class SecureDetail(models.Model):
    """Details a customer gave through the secure form (a card, an identity number): encrypted
    at rest (`chat.services.secure`), never in a transcript, purged after the retention period."""

    session = models.ForeignKey(
        ChatSession, on_delete=models.CASCADE, related_name="secure_details"
    )
    label = models.CharField(max_length=100)
    ciphertext = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    purge_after = models.DateTimeField(db_index=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.label} (chat {self.session_id})"


class SecureDetailView(models.Model):
    """Each time someone was shown a secure detail."""

    detail = models.ForeignKey(SecureDetail, on_delete=models.CASCADE, related_name="views")
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.detail_id} seen by {self.viewer_id} at {self.at:%Y-%m-%d %H:%M}"


class ConsoleSocket(models.Model):
    """One open agent console socket. Its heartbeat keeps the agent's presence alive: an agent
    whose every socket is gone or silent past `CHAT_HEARTBEAT_TIMEOUT_SECONDS` goes offline
    (`chat.services.presence`)."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_consoles"
    )
    channel_name = models.CharField(max_length=200, unique=True)
    opened_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["opened_at", "pk"]

    def __str__(self):
        return f"console of {self.agent_id} (last heartbeat {self.heartbeat_at:%H:%M:%S})"


class Visit(models.Model):
    """A visitor with the widget open (one browser tab's visit of a site), whom an agent may
    invite to chat. `channel_name` is the socket holding it now (empty: gone); a decline is
    remembered for the visit (`declined_at`)."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    page = models.CharField(max_length=500, blank=True)
    title = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    channel_name = models.CharField(max_length=200, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    session = models.ForeignKey(
        ChatSession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The chat the visitor started during the visit, if any.",
    )

    class Meta:
        ordering = ["started_at", "pk"]
        indexes = [
            models.Index(
                fields=["last_seen_at"],
                name="chat_visit_here",
                condition=~models.Q(channel_name=""),
            )
        ]

    def __str__(self):
        return f"Visit {self.pk} on {self.page[:60]}"


class InvitationAnswer(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Invitation(models.Model):
    """An agent invited a visitor to chat, with a message."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="invitations")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.CharField(max_length=500)
    sent_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(
        max_length=10, choices=InvitationAnswer.choices, default=InvitationAnswer.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    session = models.ForeignKey(
        ChatSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["sent_at", "pk"]
        indexes = [models.Index(fields=["visit", "sent_at"], name="chat_invite_rate")]

    def __str__(self):
        return f"Invitation {self.pk} to visit {self.visit_id} ({self.answer})"
