from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from helpdesk import sla_registry
from helpdesk.policy.labels import target_label

from .people import Role
from .policy import PolicyVersion


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    STOPPED = "stopped", "Stopped"


class ClockOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"
    # Neither met nor breached: the target stopped applying (the chat was left as a message,
    # the customer went away before an answer). `Clock.cancel_reason` says why.
    CANCELLED = "cancelled", "Cancelled"


class Clock(models.Model):
    """An SLA clock: one target of the policy (`chat.first_response`, ...) on one case.

    `round` counts the times the target has run on the case: 1 when the case opens, one more
    each time a reopened case starts it again (`restart_clocks_for`). Earlier rounds stay, stopped,
    for the reports; what is running now is the latest round.

    `next_check_at` is when something next happens to a running clock (its warning, its breach,
    its next escalation level); the sweep finds every clock whose moment has come with one query
    on the partial index below.
    """

    case_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    case_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("case_type", "case_id")
    target = models.CharField(max_length=50)
    round = models.PositiveSmallIntegerField(
        default=1, help_text="1 when the case opens; one more each time it is reopened."
    )
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    # The terms the target runs on, fixed when it starts (or retargeted): the case's priority
    # (a complaint's severity) picks the duration, its team's calendar the hours that count.
    priority = models.CharField(
        max_length=20, blank=True, help_text="The case's priority the target runs for, if any."
    )
    severity = models.CharField(
        max_length=20, blank=True, help_text="The complaint's severity the target runs for."
    )
    calendar = models.CharField(
        max_length=50, blank=True, help_text="The named calendar; blank: the policy's [calendar]."
    )

    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    outcome = models.CharField(
        max_length=10, choices=ClockOutcome.choices, default=ClockOutcome.PENDING
    )
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0, help_text="Elapsed time spent paused, in total.")
    remaining_at_pause = models.FloatField(
        null=True, blank=True, help_text="What was left of the target when the clock paused."
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the target stopped applying, if cancelled."
    )
    escalation_level = models.PositiveSmallIntegerField(
        default=0, help_text="How many escalation levels have fired."
    )
    next_check_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="clocks",
        help_text="The agent answerable for this clock, notified as the 'agent' level.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # Its index leads with (case_type, case_id): it also finds a case's clocks.
            models.UniqueConstraint(
                fields=["case_type", "case_id", "target", "round"],
                name="clock_one_per_case_target_round",
            ),
            models.CheckConstraint(condition=models.Q(round__gte=1), name="clock_round_positive"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="clock_state_due"),
            models.Index(
                fields=["next_check_at"],
                name="clock_running_next_check",
                condition=models.Q(state="running"),
            ),
        ]

    def __str__(self):
        # "First response (email) on Ticket #1000": one query for the case's name.
        model = f"{self.case_type.app_label}.{self.case_type.model}"
        case = sla_registry.describe_cases(model, [self.case_id])[self.case_id]
        label = f"{target_label(self.target)} on {case.label}"
        return label if self.round == 1 else f"{label} (round {self.round})"

    @property
    def target_label(self) -> str:
        """The target in words: "First response (email)"."""
        return target_label(self.target)


class ClockEscalation(models.Model):
    """An escalation level that fired for a clock: the unique constraint makes each fire once."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    notified_role = models.CharField(max_length=20, choices=Role.choices)
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["clock", "level"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "level"], name="escalation_once_per_level")
        ]

    def __str__(self):
        return f"Level {self.level} of {self.clock}"


class Notification(models.Model):
    """An in-app notification for a member of staff (shown on the desk)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    clock = models.ForeignKey(
        Clock, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, help_text="e.g. 'sla.warning', 'sla.escalation'.")
    message = models.TextField()
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was emailed; a notification is emailed once."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.message[:60]
