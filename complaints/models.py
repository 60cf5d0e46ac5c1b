"""Models of the complaints channel (see DESIGN.md and issue 5).

A `Complaint` changes only through `complaints.services`; its timeline (`ComplaintEvent`) and its
letters (`Letter`) are only ever added to, never deleted: a withdrawn complaint is a status.
The deadlines are SLA clocks of the core (`complaints.acknowledge`, `complaints.resolution`);
the complaint keeps a copy of their due times so lists, filters and the review need no join.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from helpdesk.models import Customer, PolicyVersion

ACKNOWLEDGE_TARGET = "complaints.acknowledge"
RESOLUTION_TARGET = "complaints.resolution"


class ComplaintChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    SOCIAL_MEDIA = "social_media", "Social media"
    REVIEW_SITE = "review_site", "Review site"


class Status(models.TextChoices):
    LOGGED = "logged", "Logged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A complaint in one of these still needs work (and has a deadline ahead or missed).
OPEN_STATUSES = (Status.LOGGED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REOPENED)
# Resolved or closed: the work is done (until the customer comes back and it is reopened).
DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)


class Step(models.TextChoices):
    """The steps of the workflow after logging (each one a service of `complaints.services`)."""

    ACKNOWLEDGE = "acknowledge", "Acknowledge in writing"
    INVESTIGATE = "investigate", "Start investigation"
    HOLDING = "holding", "Send holding letter"
    RESOLVE = "resolve", "Resolve"
    CLOSE = "close", "Close"
    REOPEN = "reopen", "Reopen"
    WITHDRAW = "withdraw", "Withdraw"
    SEVERITY = "severity", "Change severity"


# The one table of the workflow: the statuses each step may be taken from. The services refuse
# a step from any other status; the admin offers a step's button only from these.
TRANSITIONS: dict[Step, tuple[Status, ...]] = {
    Step.ACKNOWLEDGE: (Status.LOGGED,),
    Step.INVESTIGATE: (Status.ACKNOWLEDGED, Status.REOPENED),
    Step.HOLDING: (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REOPENED),
    Step.RESOLVE: OPEN_STATUSES,
    Step.CLOSE: (Status.RESOLVED,),
    Step.REOPEN: DONE_STATUSES,
    Step.WITHDRAW: OPEN_STATUSES,
    Step.SEVERITY: OPEN_STATUSES,
}


class Category(models.TextChoices):
    SERVICE = "service", "Service"
    STAFF = "staff", "Staff conduct"
    PRODUCT = "product", "Product"
    DELIVERY = "delivery", "Delivery"
    BILLING = "billing", "Billing"
    WEBSITE = "website", "Website or app"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class RootCause(models.TextChoices):
    PROCESS = "process", "Process or policy"
    STAFF = "staff", "Staff error or conduct"
    PRODUCT = "product", "Product fault"
    COMMUNICATION = "communication", "Communication"
    THIRD_PARTY = "third_party", "Third party"
    SYSTEM = "system", "System or technical"
    NO_FAULT = "no_fault", "No fault found"
    OTHER = "other", "Other"


class Remedy(models.TextChoices):
    APOLOGY = "apology", "Apology"
    EXPLANATION = "explanation", "Explanation"
    REFUND = "refund", "Refund"
    REPLACEMENT = "replacement", "Replacement"
    REPAIR = "repair", "Repair"
    COMPENSATION = "compensation", "Compensation"
    GOODWILL = "goodwill", "Goodwill gesture"
    SERVICE_CHANGE = "service_change", "Change to our service"
    NONE = "none", "None"


class ComplaintSequence(models.Model):
    """The last reference number given in a year: `C-2026-00042` is the 42nd of 2026."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Complaint(models.Model):
    reference = models.CharField(max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(max_length=20, choices=ComplaintChannel.choices)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints_received"
    )
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.TextField()
    desired_outcome = models.TextField(blank=True, help_text="What the customer wants done.")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints_owned",
        help_text="The customer service manager answerable for this complaint.",
    )
    # The ticket or chat it came from; a generic link keeps this app free of tickets and chat.
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LOGGED)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, related_name="+")
    acknowledge_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the full response is now promised: the resolution deadline, moved on "
        "by a holding letter's expected date.",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    investigation_started_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_response_date = models.DateField(
        null=True, blank=True, help_text="The date the last holding letter promised."
    )
    holding_letter_needed_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when resolution ran late; cleared when a holding letter goes.",
    )

    outcome = models.TextField(blank=True)
    root_cause = models.CharField(max_length=20, choices=RootCause.choices, blank=True)
    remedy = models.CharField(max_length=20, choices=Remedy.choices, blank=True)
    customer_satisfied = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["respond_by"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_done(self) -> bool:
        """Resolved or closed."""
        return self.status in DONE_STATUSES

    def allows(self, step: str) -> bool:
        """Whether `step` may be taken from the complaint's status (`TRANSITIONS`)."""
        return self.status in TRANSITIONS[Step(step)]

    def next_deadline(self):
        """The next deadline still to keep: the acknowledgement, then the full response (the
        resolution deadline, or the date a holding letter promised); None once resolved."""
        if not self.is_open:
            return None
        if self.acknowledged_at is None:
            return self.acknowledge_due_at
        return self.respond_by


class EventKind(models.TextChoices):
    LOGGED = "logged", "Logged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigation started"
    LETTER_DRAFTED = "letter_drafted", "Letter drafted"
    LETTER_SENT = "letter_sent", "Letter sent"
    LETTER_EMAILED = "letter_emailed", "Letter emailed"
    LETTER_FAILED = "letter_failed", "Letter email failed"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"
    WITHDRAWN = "withdrawn", "Withdrawn"
    OVERDUE = "overdue", "Resolution overdue"
    REMINDER = "reminder", "Owner reminded"
    SEVERITY = "severity", "Severity changed"


class ComplaintEvent(models.Model):
    """One line of a complaint's timeline: what happened, who did it, when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.complaint}: {self.get_kind_display()}"


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement"
    HOLDING = "holding", "Holding letter"
    FINAL = "final", "Final response"


class SentVia(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class Letter(models.Model):
    """A letter to the customer, kept with the complaint as it was sent (a draft until then)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    status = models.CharField(
        max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sent_via = models.CharField(max_length=10, choices=SentVia.choices, blank=True)
    to_address = models.EmailField(blank=True)
    expected_date = models.DateField(null=True, blank=True)
    enclosure = models.FileField(
        upload_to="complaints/letters/%Y/%m/", blank=True, help_text="The procedure, as a PDF."
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.complaint}"


class LetterTemplate(models.Model):
    """A manager-editable letter; without one, `templates/complaints/letters/<kind>.txt` is used.

    Subject and body are Django templates with `customer_name`, `reference`, `company`,
    `received_date`, `acknowledge_by`, `respond_by`, `expected_date`, `outcome`, `remedy`,
    `owner_name` and `complaint`.
    """

    kind = models.CharField(max_length=20, choices=LetterKind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.get_kind_display()


class ComplaintReminder(models.Model):
    """A reminder the owner was sent; the unique key makes each reminder go once."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="reminders")
    key = models.CharField(max_length=60, help_text="e.g. 'complaints.acknowledge:half'.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "key"], name="complaint_reminder_once")
        ]

    def __str__(self):
        return f"{self.complaint}: {self.key}"


class ReviewSent(models.Model):
    """A periodic review emailed to the managers; once per cadence and period."""

    cadence = models.CharField(max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cadence", "period_start"], name="review_sent_once")
        ]

    def __str__(self):
        return f"{self.cadence} review from {self.period_start}"
