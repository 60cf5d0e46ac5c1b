"""Forms of the public survey page and the desk's filters."""

from datetime import timedelta

from django import forms
from django.contrib.auth import get_user_model

from helpdesk.models import Team
from helpdesk.models.people import Channel
from helpdesk.roles import STAFF_ROLES
from surveys.models import COMMENT_MAX_CHARS

YES_NO = [("yes", "Yes"), ("no", "No")]


class SurveyForm(forms.Form):
    answered = forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect)
    score = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False,
        max_length=COMMENT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": COMMENT_MAX_CHARS}),
    )

    def __init__(self, *args, scale: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].choices = [(str(n), str(n)) for n in range(1, scale + 1)]
        self.fields["answered"].error_messages["required"] = "Please choose yes or no."
        self.fields["score"].error_messages["required"] = "Please choose a score."


PERIODS = {
    "7d": ("Last 7 days", timedelta(days=7), "day"),
    "30d": ("Last 30 days", timedelta(days=30), "day"),
    "12w": ("Last 12 weeks", timedelta(weeks=12), "week"),
    "26w": ("Last 26 weeks", timedelta(weeks=26), "week"),
    "52w": ("Last 52 weeks", timedelta(weeks=52), "week"),
}


class ReportFilterForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    agent = forms.ModelChoiceField(queryset=None, required=False)
    channel = forms.ChoiceField(required=False)
    period = forms.ChoiceField(
        choices=[(key, label) for key, (label, _, _) in PERIODS.items()],
        required=False,
        initial="12w",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = (
            get_user_model()
            .objects.filter(agent_profile__role__in=STAFF_ROLES)
            .order_by("username")
        )
        self.fields["channel"].choices = [("", "Every channel")] + [
            (value, label)
            for value, label in Channel.choices
            if value in ("chat", "email", "phone")
        ]
