"""Models of the surveys channel: an invitation per conversation, its one response, and the
follow-up a poor answer opens for a supervisor (see DESIGN.md, "Surveys").

A conversation is any case (a ticket, a chat) linked generically by content type and id, so
surveys depends on the core only.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from helpdesk import sla_registry
from helpdesk.models import Customer, PolicyVersion
from helpdesk.models.people import Channel

COMMENT_MAX_CHARS = 2000


class SurveyInvitation(models.Model):
    """The customer's invitation to answer a survey about one conversation.

    `key` is random and stored; the link carries it signed (`surveys.tokens`), so a tampered
    link is told apart from an unknown one. Single use: `used_at` is set with the response.
    """

    conversation_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    conversation_id = models.PositiveBigIntegerField()
    conversation = GenericForeignKey("conversation_type", "conversation_id")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_invitations",
    )
    key = models.CharField(max_length=43, unique=True, editable=False)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation_type", "conversation_id"],
                name="survey_one_invitation_per_conversation",
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="survey_invitation_created")]

    def __str__(self):
        # "Survey of Ticket #1000": the conversation as people name it (one query).
        kind = ContentType.objects.get_for_id(self.conversation_type_id)
        model = f"{kind.app_label}.{kind.model}"
        case = sla_registry.describe_cases(model, [self.conversation_id])[self.conversation_id]
        return f"Survey of {case.label}"


class SurveyResponse(models.Model):
    """The one response to an invitation (unique), as the customer sent it."""

    invitation = models.OneToOneField(
        SurveyInvitation, on_delete=models.CASCADE, related_name="response"
    )
    answered = models.BooleanField(help_text="Did we answer the customer's question?")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(COMMENT_MAX_CHARS)])
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["submitted_at"], name="survey_response_submitted")]

    def __str__(self):
        return f"{self.score} ({'answered' if self.answered else 'not answered'})"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


# The policy target of a follow-up's SLA clock (`[surveys] follow_up`, when the policy sets it).
FOLLOW_UP_TARGET = "surveys.follow_up"


class FollowUp(models.Model):
    """A poor answer, for a supervisor to follow up by `due_at` (see `surveys.services`): the
    due time of its `surveys.follow_up` clock when it has one, else SURVEYS_FOLLOW_UP_WITHIN
    after it opened."""

    response = models.OneToOneField(
        SurveyResponse, on_delete=models.CASCADE, related_name="follow_up"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
        help_text="Empty: any supervisor may take it (the agent has none).",
    )
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    notes = models.TextField(blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["status", "due_at"], name="survey_follow_up_open")]

    def __str__(self):
        return f"Follow-up of {self.response.invitation}"


class SurveyDigest(models.Model):
    """A weekly digest sent: one per period, so beat (or a retry) never sends it twice."""

    period_start = models.DateTimeField(unique=True)
    period_end = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-period_start"]

    def __str__(self):
        return f"Survey digest from {self.period_start:%Y-%m-%d}"
