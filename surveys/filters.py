"""The survey responses list's filters in the REST API (`surveys.apis`): each narrows it."""

import django_filters

from helpdesk.api.filters import IdFilter, UtcDateTimeFilter, whole_number_filter
from helpdesk.models.people import Channel

from .models import SurveyResponse


class SurveyResponseFilter(django_filters.FilterSet):
    agent = IdFilter(
        field_name="invitation__agent_id", help_text="The id of the agent the survey is about."
    )
    team = IdFilter(
        field_name="invitation__agent__agent_profile__team_id",
        help_text="A team's id: responses about its agents (as the supervisors' page counts).",
    )
    channel = django_filters.ChoiceFilter(
        field_name="invitation__channel",
        choices=Channel.choices,
        help_text="The conversation's channel, e.g. chat or email.",
    )
    customer = IdFilter(field_name="invitation__customer_id", help_text="A customer's id.")
    score_min = whole_number_filter(
        minimum=1,
        maximum=32767,
        field_name="score",
        lookup_expr="gte",
        help_text="A score of at least this.",
    )
    score_max = whole_number_filter(
        minimum=1,
        maximum=32767,
        field_name="score",
        lookup_expr="lte",
        help_text="A score of at most this.",
    )
    answered = django_filters.BooleanFilter(
        help_text="true: the customer said their question was answered; false: they said not."
    )
    submitted_after = UtcDateTimeFilter(
        field_name="submitted_at", lookup_expr="gte", help_text="Sent at or after this time."
    )
    submitted_before = UtcDateTimeFilter(
        field_name="submitted_at", lookup_expr="lt", help_text="Sent before this time."
    )
    follow_up = django_filters.BooleanFilter(
        field_name="follow_up",
        lookup_expr="isnull",
        exclude=True,
        help_text="true: the answer opened a follow-up (a poor score, or 'no'); false: it did not.",
    )

    class Meta:
        model = SurveyResponse
        fields = []
