"""The API's input and output shapes for complaints (`complaints.apis`), and its list filters.
Shapes only: every rule is in `complaints.services`."""

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from helpdesk.api.fields import JsonBoolean, JsonText
from helpdesk.api.filters import IdFilter
from helpdesk.api.serializers import (
    CustomerDetailsInput,
    CustomerRef,
    UserRef,
    check_customer_given,
)
from helpdesk.models import Customer, Role

from .models import (
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    Letter,
    Remedy,
    RootCause,
    SentVia,
    Severity,
    Status,
)
from .selectors import overdue_q
from .sources import resolve_source

# -- output ---------------------------------------------------------------------------------


class ComplaintOutput(serializers.ModelSerializer):
    customer = CustomerRef(help_text="Who complained.")
    received_by = UserRef(help_text="The member of staff who logged it.")
    owner = UserRef(help_text="The customer service manager answerable for it.")
    source = serializers.SerializerMethodField(
        help_text="The ticket or chat it came from, as `app_label.model:id`, or null."
    )
    policy_version = JsonText(
        source="policy_version.version", help_text="The policy version it was logged under."
    )
    next_deadline = serializers.SerializerMethodField(
        help_text="The next deadline to keep: the acknowledgement, then the full response; "
        "null once it is no longer open."
    )
    overdue = serializers.SerializerMethodField(
        help_text="Whether it is open and its next deadline has passed."
    )

    class Meta:
        model = Complaint
        fields = [
            "id",
            "reference",
            "status",
            "customer",
            "channel",
            "received_at",
            "received_by",
            "category",
            "severity",
            "description",
            "desired_outcome",
            "owner",
            "source",
            "policy_version",
            "acknowledge_due_at",
            "acknowledged_at",
            "resolution_due_at",
            "respond_by",
            "expected_response_date",
            "holding_letter_needed_since",
            "investigation_started_at",
            "resolved_at",
            "closed_at",
            "next_deadline",
            "overdue",
            "outcome",
            "root_cause",
            "remedy",
            "customer_satisfied",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "The complaint's id (used in the URLs)."},
            "reference": {"help_text": "What the customer is told, e.g. 'C-2026-00042'."},
            "status": {
                "help_text": "logged, acknowledged, investigating, resolved, closed, reopened "
                "or withdrawn."
            },
            "channel": {"help_text": "How it came in: phone, email, chat, letter, ..."},
            "received_at": {"help_text": "When it was received (UTC); the clocks start here."},
            "category": {"help_text": "service, staff, product, delivery, billing, ..."},
            "severity": {"help_text": "low, medium, high or critical."},
            "description": {"help_text": "The complaint, in the customer's terms."},
            "desired_outcome": {"help_text": "What the customer wants done."},
            "acknowledge_due_at": {"help_text": "When the written acknowledgement is due."},
            "acknowledged_at": {"help_text": "When it was acknowledged in writing."},
            "resolution_due_at": {"help_text": "The policy's resolution deadline."},
            "respond_by": {
                "help_text": "When the full response is promised now (moved on by a holding "
                "letter)."
            },
            "expected_response_date": {"help_text": "The date the last holding letter gave."},
            "holding_letter_needed_since": {
                "help_text": "Set when the resolution ran late and no holding letter went yet."
            },
            "investigation_started_at": {"help_text": "When the investigation started."},
            "resolved_at": {"help_text": "When the final response went."},
            "closed_at": {"help_text": "When it was closed."},
            "outcome": {"help_text": "What was found and decided."},
            "root_cause": {"help_text": "process, staff, product, communication, ..."},
            "remedy": {"help_text": "apology, refund, replacement, ..."},
            "customer_satisfied": {
                "help_text": "Whether the customer is satisfied; null: unknown."
            },
            "updated_at": {"help_text": "When it last changed (UTC)."},
        }

    @extend_schema_field(JsonText(allow_null=True))
    def get_source(self, complaint) -> str | None:
        if complaint.source_type_id is None:
            return None
        return f"{complaint.source_type.app_label}.{complaint.source_type.model}:" + str(
            complaint.source_id
        )

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_deadline(self, complaint):
        due = complaint.next_deadline()
        return serializers.DateTimeField().to_representation(due) if due else None

    @extend_schema_field(JsonBoolean())
    def get_overdue(self, complaint) -> bool:
        due = complaint.next_deadline()
        return due is not None and due < timezone.now()


class ComplaintEventOutput(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="Who did it (null: the system).",
    )

    class Meta:
        model = ComplaintEvent
        fields = ["id", "kind", "actor", "note", "at"]
        extra_kwargs = {
            "id": {"help_text": "The event's id."},
            "kind": {"help_text": "logged, acknowledged, letter_sent, resolved, reminder, ..."},
            "note": {"help_text": "The note, reason or outcome given with it."},
            "at": {"help_text": "When it happened (UTC)."},
        }


class LetterOutput(serializers.ModelSerializer):
    has_enclosure = serializers.SerializerMethodField(
        help_text="Whether the complaint procedure was enclosed as a PDF."
    )

    class Meta:
        model = Letter
        fields = [
            "id",
            "kind",
            "status",
            "subject",
            "sent_via",
            "to_address",
            "expected_date",
            "has_enclosure",
            "created_at",
            "sent_at",
            "emailed_at",
            "email_error",
        ]
        extra_kwargs = {
            "id": {"help_text": "The letter's id."},
            "kind": {"help_text": "acknowledgement, holding or final."},
            "status": {"help_text": "draft or sent."},
            "subject": {"help_text": "The letter's subject."},
            "sent_via": {"help_text": "email or post ('' while a draft)."},
            "to_address": {"help_text": "The email address it went to."},
            "expected_date": {"help_text": "A holding letter's promised date."},
            "created_at": {"help_text": "When it was written (UTC)."},
            "sent_at": {"help_text": "When it was sent or recorded as posted."},
            "emailed_at": {"help_text": "When the email was delivered to the mail server."},
            "email_error": {"help_text": "Why emailing failed, if it did."},
        }

    @extend_schema_field(JsonBoolean())
    def get_has_enclosure(self, letter) -> bool:
        return bool(letter.enclosure)


class ComplaintDetailOutput(ComplaintOutput):
    timeline = ComplaintEventOutput(
        source="events", many=True, help_text="Everything that happened, oldest first."
    )
    letters = LetterOutput(many=True, help_text="Its letters (metadata), oldest first.")

    class Meta(ComplaintOutput.Meta):
        fields = [*ComplaintOutput.Meta.fields, "timeline", "letters"]


# -- input ----------------------------------------------------------------------------------


def managers():
    return get_user_model().objects.filter(is_active=True, agent_profile__role=Role.MANAGER)


class ComplaintLogInput(serializers.Serializer):
    customer_id = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        help_text="An existing customer; or give `customer` details instead.",
    )
    customer = CustomerDetailsInput(
        required=False, help_text="Found by email, then phone; created if nobody matches."
    )
    channel = serializers.ChoiceField(
        choices=ComplaintChannel.choices, help_text="How the complaint came in."
    )
    category = serializers.ChoiceField(choices=Category.choices, help_text="What it is about.")
    severity = serializers.ChoiceField(
        choices=Severity.choices, default=Severity.MEDIUM, help_text="low, medium, high, critical."
    )
    description = JsonText(max_length=50_000, help_text="The complaint, in the customer's terms.")
    desired_outcome = JsonText(
        required=False, allow_blank=True, max_length=10_000, help_text="What the customer wants."
    )
    owner_id = serializers.PrimaryKeyRelatedField(
        queryset=managers(),
        help_text="The customer service manager who will handle it (a manager's user id).",
    )
    received_at = serializers.DateTimeField(
        required=False, help_text="When it was received (not in the future); default now."
    )
    source = JsonText(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The ticket or chat it came from, e.g. 'tickets.ticket:12'.",
    )

    def validate_source(self, value):
        if not value:
            return None
        found = resolve_source(value)
        if found is None:
            raise serializers.ValidationError("No such ticket or chat.")
        return found

    def validate(self, attrs):
        return check_customer_given(attrs)


class LetterInput(serializers.Serializer):
    sent_via = serializers.ChoiceField(
        choices=SentVia.choices,
        help_text="email (the customer needs an address) or post (recorded as posted).",
    )
    body = JsonText(
        required=False,
        allow_blank=True,
        max_length=50_000,
        help_text="The letter's text; leave out to write it from the letter template.",
    )


class AcknowledgeInput(LetterInput):
    pass


class HoldingLetterInput(LetterInput):
    expected_date = serializers.DateField(
        help_text="When a full response can be expected (later than today)."
    )


class ComplaintResolveInput(LetterInput):
    outcome = JsonText(max_length=10_000, help_text="What was found and decided.")
    root_cause = serializers.ChoiceField(choices=RootCause.choices, help_text="The root cause.")
    remedy = serializers.ChoiceField(choices=Remedy.choices, help_text="What the customer gets.")


class NoteInput(serializers.Serializer):
    note = JsonText(
        required=False, allow_blank=True, max_length=10_000, help_text="An optional note."
    )


class CloseInput(NoteInput):
    customer_satisfied = JsonBoolean(
        allow_null=True, default=None, help_text="Whether the customer is satisfied; null: unknown."
    )


class SeverityInput(NoteInput):
    severity = serializers.ChoiceField(
        choices=Severity.choices, help_text="low, medium, high or critical."
    )


class ReasonInput(serializers.Serializer):
    reason = JsonText(max_length=10_000, help_text="Why (required).")


# -- filters --------------------------------------------------------------------------------


class ComplaintApiFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, help_text="One status.")
    channel = django_filters.ChoiceFilter(
        choices=ComplaintChannel.choices, help_text="One channel."
    )
    category = django_filters.ChoiceFilter(choices=Category.choices, help_text="One category.")
    owner = IdFilter(field_name="owner_id", help_text="The owner's user id.")
    customer = IdFilter(field_name="customer_id", help_text="A customer's id.")
    reference = django_filters.CharFilter(help_text="The reference, e.g. 'C-2026-00042'.")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        help_text="true: open and its next deadline has passed; false: not overdue.",
    )

    class Meta:
        model = Complaint
        fields = []

    def filter_overdue(self, queryset, name, value):
        late = overdue_q(timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)
