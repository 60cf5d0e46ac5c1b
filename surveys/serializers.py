"""The API's shapes for surveys (`surveys.apis`): responses, and the figures grouped by agent,
channel or period with the query that asks for them. Shapes only: the figures are
`surveys.aggregates`'."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

from helpdesk.api.fields import JsonText
from helpdesk.api.serializers import CustomerRef, TeamRef, UserRef
from helpdesk.models.people import Channel

from .aggregates import GROUPS, PERIODS
from .models import FollowUp, SurveyResponse

DEFAULT_SPAN = timedelta(weeks=12)  # the supervisors' page's default period
MAX_SPAN = timedelta(days=366)
MAX_ID = 10**18 - 1  # as the URLs' ids (helpdesk.api.routing)

# -- output ---------------------------------------------------------------------------------


class SurveyAgentRef(UserRef):
    name = serializers.SerializerMethodField(help_text="Their full name, or their username.")

    def get_name(self, user) -> str:
        return user.get_full_name() or user.get_username()


class SurveyFollowUpRef(serializers.ModelSerializer):
    status = JsonText(help_text="open or closed.")

    class Meta:
        model = FollowUp
        fields = ["id", "status", "opened_at", "due_at", "closed_at"]
        extra_kwargs = {
            "id": {"help_text": "The follow-up's id."},
            "opened_at": {"help_text": "When it opened (UTC)."},
            "due_at": {"help_text": "When a supervisor should have followed up (UTC)."},
            "closed_at": {"help_text": "When it was closed (UTC), if it was."},
        }


class SurveyResponseOutput(serializers.ModelSerializer):
    conversation_type = serializers.SerializerMethodField(
        help_text="What was surveyed, as `app_label.model`: tickets.ticket or chat.chatsession."
    )
    conversation_id = serializers.IntegerField(
        source="invitation.conversation_id", help_text="Its id (a ticket's or a chat's)."
    )
    channel = JsonText(
        source="invitation.channel", help_text="The conversation's channel: chat, email, ..."
    )
    customer = CustomerRef(source="invitation.customer", help_text="Who answered.")
    agent = SurveyAgentRef(
        source="invitation.agent", allow_null=True, help_text="The agent it is about, if any."
    )
    team = serializers.SerializerMethodField(help_text="That agent's team, if any.")
    invited_at = serializers.DateTimeField(
        source="invitation.created_at", help_text="When the invitation was sent (UTC)."
    )
    follow_up = SurveyFollowUpRef(
        allow_null=True,
        help_text="The follow-up a poor answer opened for a supervisor; null if none.",
    )

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "conversation_type",
            "conversation_id",
            "channel",
            "customer",
            "agent",
            "team",
            "answered",
            "score",
            "comment",
            "submitted_at",
            "invited_at",
            "follow_up",
        ]
        extra_kwargs = {
            "id": {"help_text": "The response's id."},
            "answered": {"help_text": "Whether the customer said their question was answered."},
            "score": {"help_text": "Satisfaction, 1 to the policy's scale (5: very satisfied)."},
            "comment": {"help_text": "What the customer wrote ('' if nothing)."},
            "submitted_at": {"help_text": "When the customer sent it (UTC)."},
        }

    def get_conversation_type(self, response) -> str:
        kind = response.invitation.conversation_type
        return f"{kind.app_label}.{kind.model}"

    def get_team(self, response) -> dict | None:
        agent = response.invitation.agent
        profile = getattr(agent, "agent_profile", None) if agent is not None else None
        team = profile.team if profile is not None else None
        return TeamRef(team).data if team is not None else None


class SurveyFiguresOutput(serializers.Serializer):
    invitations = serializers.IntegerField(help_text="Invitations sent in the period.")
    responses = serializers.IntegerField(help_text="Of those, how many were answered.")
    response_rate = serializers.FloatField(
        allow_null=True,
        help_text="The answered rate: responses ÷ invitations sent, 0 to 1 (the page's "
        "'response rate'); null without invitations.",
    )
    answered = serializers.IntegerField(
        help_text="Responses saying the customer's question was answered."
    )
    answered_rate = serializers.FloatField(
        allow_null=True,
        help_text="answered ÷ responses, 0 to 1 (the page's 'answered rate'); null without "
        "responses.",
    )
    average_score = serializers.FloatField(
        allow_null=True, help_text="Average satisfaction score; null without responses."
    )
    satisfied = serializers.IntegerField(
        help_text="Responses scoring at least `satisfied_from` (not a poor answer)."
    )
    satisfied_rate = serializers.FloatField(
        allow_null=True, help_text="satisfied ÷ responses, 0 to 1; null without responses."
    )


class SurveyGroupOutput(SurveyFiguresOutput):
    key = JsonText(
        help_text="The group: an agent's id (their name when they have none), a channel, or "
        "the period's first day (YYYY-MM-DD)."
    )
    label = JsonText(
        help_text="As the supervisors' page names it: the agent's name, the channel's name, or "
        "the period's first day."
    )
    agent_id = serializers.IntegerField(
        allow_null=True,
        help_text="group_by=agent: the agent's id (null for conversations without one).",
    )
    channel = JsonText(allow_null=True, help_text="group_by=channel: the channel.")
    period_start = serializers.DateTimeField(
        allow_null=True, help_text="group_by=period: when the week or month starts (UTC)."
    )


class SurveyAggregatesOutput(serializers.Serializer):
    # `from` and `to` are Python keywords: declared through the class body's namespace.
    locals()["from"] = serializers.DateTimeField(help_text="The period's start (UTC), inclusive.")
    locals()["to"] = serializers.DateTimeField(help_text="The period's end (UTC), exclusive.")
    group_by = JsonText(help_text="agent, channel or period.")
    period = JsonText(
        allow_null=True, help_text="week or month with group_by=period; null otherwise."
    )
    scale = serializers.IntegerField(help_text="Scores run from 1 to this (the policy's scale).")
    satisfied_from = serializers.IntegerField(
        help_text="The lowest satisfied score: the policy's `follow_up_below` (a lower score "
        "opens a follow-up)."
    )
    total = SurveyFiguresOutput(help_text="Every invitation of the period.")
    groups = SurveyGroupOutput(many=True, help_text="Per agent, channel or period.")


# `from` and `to` are Python keywords: declared through the class body's namespace.
class _Period(serializers.Serializer):
    locals()["from"] = serializers.DateTimeField(
        required=False,
        help_text="Invitations sent from (inclusive, ISO 8601); default 12 weeks before `to`.",
    )
    locals()["to"] = serializers.DateTimeField(
        required=False, help_text="Until (exclusive); default now."
    )


# -- input ----------------------------------------------------------------------------------


class SurveyAggregatesInput(_Period):
    group_by = serializers.ChoiceField(
        choices=GROUPS, default="agent", help_text="Group the figures by agent, channel or period."
    )
    period = serializers.ChoiceField(
        choices=PERIODS, default="week", help_text="With group_by=period: week or month."
    )
    agent = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only this agent's conversations (a user id).",
    )
    team = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only the conversations of this team's agents.",
    )
    channel = serializers.ChoiceField(
        choices=Channel.choices, required=False, help_text="Only this channel's conversations."
    )

    def validate(self, attrs):
        end = attrs.get("to") or timezone.now()
        start = attrs.get("from") or end - DEFAULT_SPAN
        if start >= end:
            raise serializers.ValidationError({"from": "`from` must be before `to`."})
        if end - start > MAX_SPAN:
            raise serializers.ValidationError({"from": f"At most {MAX_SPAN.days} days at once."})
        return {**attrs, "from": start, "to": end}
