"""Forms of the complaint steps in the admin: each asks for what its step needs; the service
behind it decides whether the step may be taken."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from helpdesk.models import Customer, Role

from .models import Category, ComplaintChannel, Remedy, RootCause, SentVia, Severity

LETTER_HELP = "Leave empty to write it from the letter template."


def manager_choices():
    return (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__role=Role.MANAGER)
        .order_by("username")
    )


class LogComplaintForm(forms.Form):
    """A new complaint: an existing customer, or the details to find or add one."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        help_text="An existing customer, or fill in the details below.",
    )
    customer_name = forms.CharField(max_length=200, required=False)
    customer_email = forms.EmailField(required=False)
    customer_phone = forms.CharField(max_length=32, required=False)
    channel = forms.ChoiceField(choices=ComplaintChannel.choices)
    received_at = forms.DateTimeField(
        initial=timezone.now, help_text="When the complaint was received (not in the future)."
    )
    category = forms.ChoiceField(choices=Category.choices)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))
    desired_outcome = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="What the customer wants done.",
    )
    owner = forms.ModelChoiceField(
        queryset=None, help_text="The customer service manager who will handle it."
    )
    # The ticket or chat it came from, when logged from one (`?source=tickets.ticket:12`).
    source = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = manager_choices()

    def clean(self):
        data = super().clean()
        details = (
            data.get("customer_name"),
            data.get("customer_email"),
            data.get("customer_phone"),
        )
        if not data.get("customer") and not any(details):
            raise ValidationError("Choose the customer or give their name, email or phone.")
        return data


class LetterForm(forms.Form):
    sent_via = forms.ChoiceField(
        choices=SentVia.choices,
        initial=SentVia.EMAIL,
        widget=forms.RadioSelect,
        help_text="By email (the procedure attached as a PDF) or recorded as posted.",
    )
    body = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90}),
        help_text=LETTER_HELP,
    )


class AcknowledgeForm(LetterForm):
    pass


class InvestigateForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class HoldingLetterForm(LetterForm):
    expected_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the customer can expect a full response (later than today).",
    )
    field_order = ["expected_date", "sent_via", "body"]


class ResolveForm(LetterForm):
    outcome = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
        help_text="What we found and decided; it goes into the final response letter.",
    )
    root_cause = forms.ChoiceField(choices=[("", "---------"), *RootCause.choices])
    remedy = forms.ChoiceField(choices=[("", "---------"), *Remedy.choices])
    field_order = ["outcome", "root_cause", "remedy", "sent_via", "body"]


class CloseForm(forms.Form):
    customer_satisfied = forms.TypedChoiceField(
        choices=[("", "Unknown"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        empty_value=None,
        required=False,
        help_text="Is the customer satisfied with the outcome?",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class SeverityForm(forms.Form):
    severity = forms.ChoiceField(choices=Severity.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class DeskLogComplaintForm(LogComplaintForm):
    """The desk's log form: the customer by id (prefilled from the ticket or chat the complaint
    came from, shown by name on the page) rather than a list of every customer."""

    customer = forms.ModelChoiceField(
        queryset=Customer.objects.all(),
        required=False,
        widget=forms.NumberInput,
        help_text="The customer's id (filled in from the ticket or chat), or their details below.",
    )
    field_order = ["customer", "customer_name", "customer_email", "customer_phone", "channel",
                   "category", "severity", "description", "desired_outcome", "owner",
                   "received_at"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managers = list(self.fields["owner"].queryset[:2])
        if len(managers) == 1 and "owner" not in self.initial:
            self.initial["owner"] = managers[0].pk  # the only manager: nothing to choose
