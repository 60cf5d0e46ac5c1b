"""Forms of the ticket page: each checks its input; the service it feeds checks the rules."""

from django import forms
from django.contrib.auth import get_user_model

from .models import Priority, Status, Ticket
from .queues import NUMBER, REFERENCE


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Reply to the customer",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50_000,
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label="Internal note (staff only)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=50_000,
    )


def staff_users():
    """Who a ticket can be assigned to: active members of staff with an agent profile."""
    return (
        get_user_model()
        .objects.filter(is_active=True, agent_profile__isnull=False)
        .order_by("username")
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


class AssignForm(forms.Form):
    assignee = StaffChoiceField(
        queryset=staff_users(), required=False, empty_label="Nobody (unassigned)"
    )


# Statuses an agent sets directly; resolving needs a summary (ResolveForm).
SETTABLE_STATUSES = (Status.OPEN, Status.PENDING_CUSTOMER, Status.ON_HOLD, Status.CLOSED)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Choose a status…")] + [(s.value, s.label) for s in SETTABLE_STATUSES],
    )

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        self.ticket = ticket
        super().__init__(*args, **kwargs)

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Status.CLOSED and self.ticket is not None and not self.ticket.is_done:
            raise forms.ValidationError("Resolve the ticket with a summary before closing it.")
        return status


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(choices=Priority.choices)


class EscalateForm(forms.Form):
    notes = forms.CharField(
        label="Notes for the supervisor",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        error_messages={"required": "Escalations need notes: say what was tried and why."},
    )

    def clean_notes(self):
        notes = self.cleaned_data["notes"].strip()
        if not notes:
            raise forms.ValidationError("Escalations need notes: say what was tried and why.")
        return notes


class ResolveForm(forms.Form):
    summary = forms.CharField(
        label="Summary of the resolution",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        error_messages={"required": "Summarise the resolution before resolving."},
    )


class MergeForm(forms.Form):
    """The duplicate (this ticket) goes into the ticket named by reference."""

    target = forms.CharField(
        label="Merge this ticket into",
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "#1042"}),
    )

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        self.ticket = ticket
        super().__init__(*args, **kwargs)

    def clean_target(self) -> Ticket:
        text = " ".join(self.cleaned_data["target"].split())
        match = REFERENCE.match(text) or NUMBER.match(text)
        if not match:
            raise forms.ValidationError("Give a ticket reference, e.g. #1042.")
        number = int(text.lstrip("#").strip())
        target = Ticket.objects.filter(number=number).first()
        if target is None:
            raise forms.ValidationError(f"There is no ticket #{number}.")
        if self.ticket is not None and target.pk == self.ticket.pk:
            raise forms.ValidationError("A ticket cannot be merged into itself.")
        return target
