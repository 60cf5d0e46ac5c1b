"""The surveys endpoints of the REST API (/api/v1/surveys/): responses (filterable) and the
satisfaction figures grouped by agent, channel or period, the same numbers as the supervisors'
page. Conventions: `helpdesk.api`. Like that page, for supervisors and managers."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from helpdesk.api import routing  # noqa: F401  (the <id:...> converter)
from helpdesk.api.base import ApiListView, ApiView
from helpdesk.api.filters import MAX_ID
from helpdesk.api.schema import responses
from helpdesk.models import Scope
from helpdesk.models.people import Channel

from .access import READ_ROLES, readable_survey_responses
from .aggregates import GROUPS, PERIODS, survey_aggregates
from .filters import SurveyResponseFilter
from .models import SurveyResponse
from .selectors import Figures, Filters
from .serializers import (
    SurveyAggregatesInput,
    SurveyAggregatesOutput,
    SurveyResponseOutput,
)

TAGS = ["surveys"]


def api_responses():
    return SurveyResponse.objects.select_related(
        "invitation__customer",
        "invitation__agent__agent_profile__team",
        "invitation__conversation_type",
        "follow_up",
    )


class SurveyAccess:
    """The roles come from the survey access rule (`surveys.access`); lists filter with it."""

    read_scope = Scope.SURVEYS_READ
    read_roles = READ_ROLES


class SurveyResponseListApi(SurveyAccess, ApiListView):
    serializer_class = SurveyResponseOutput
    filterset_class = SurveyResponseFilter
    ordering = ("-pk",)  # newest first

    def get_queryset(self):
        return readable_survey_responses(self.request.user, api_responses())

    @extend_schema(
        summary="List survey responses",
        description="Newest first, cursor-paginated (follow `next`); every filter narrows the "
        "list.",
        responses=responses({200: SurveyResponseOutput(many=True)}, 400, 404),
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class SurveyResponseDetailApi(SurveyAccess, ApiView):
    @extend_schema(
        summary="Read a survey response",
        description="The customer's answer, what it is about and its follow-up, if any.",
        responses=responses({200: SurveyResponseOutput}, 404),
        tags=TAGS,
    )
    def get(self, request, response_id: int):
        found = get_object_or_404(
            readable_survey_responses(request.user, api_responses()), pk=response_id
        )
        return Response(SurveyResponseOutput(found).data)


def figures(values: Figures, satisfied: int) -> dict:
    return {
        "invitations": values.invitations,
        "responses": values.responses,
        "response_rate": values.response_rate,
        "answered": values.answered,
        "answered_rate": values.answered_rate,
        "average_score": values.average,
        "satisfied": satisfied,
        "satisfied_rate": satisfied / values.responses if values.responses else None,
    }


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def _parameter(name: str, kind, description: str, **extra) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description, **extra)


class SurveyAggregatesApi(SurveyAccess, ApiView):
    @extend_schema(
        summary="Satisfaction and answered rate, grouped",
        description="Over the invitations sent in the period (default: the 12 weeks before "
        "now, at most 366 days) and their responses, in total and by agent, channel or period "
        "(weeks from Monday or months, in UTC): invitations, responses and the answered rate "
        "(responses ÷ invitations), the share saying their question was answered, the average "
        "score and the share satisfied. The numbers are the supervisors' survey page's for "
        "the same period and filters.",
        parameters=[
            _parameter(
                "group_by", OpenApiTypes.STR, "agent (default), channel or period.", enum=GROUPS
            ),
            _parameter(
                "period",
                OpenApiTypes.STR,
                "With group_by=period: week (default) or month.",
                enum=PERIODS,
            ),
            _parameter("from", OpenApiTypes.DATETIME, "From (inclusive, ISO 8601)."),
            _parameter("to", OpenApiTypes.DATETIME, "Until (exclusive); default now."),
            _parameter("agent", ID_SCHEMA, "Only this agent's conversations (user id)."),
            _parameter("team", ID_SCHEMA, "Only the conversations of this team's agents."),
            _parameter(
                "channel",
                OpenApiTypes.STR,
                "Only this channel's conversations.",
                enum=Channel.values,
            ),
        ],
        responses=responses({200: SurveyAggregatesOutput}, 400),
        tags=TAGS,
    )
    def get(self, request):
        data = SurveyAggregatesInput(data=request.query_params.dict())  # "" is no value
        data.is_valid(raise_exception=True)
        values = data.validated_data
        filters = Filters(
            start=values["from"],
            end=values["to"],
            team_id=values.get("team"),
            agent_id=values.get("agent"),
            channel=values.get("channel", ""),
        )
        found = survey_aggregates(
            filters=filters, group_by=values["group_by"], period=values["period"]
        )
        body = {
            "from": filters.start,
            "to": filters.end,
            "group_by": found.group_by,
            "period": found.period,
            "scale": found.scale,
            "satisfied_from": found.satisfied_from,
            "total": figures(found.total, found.satisfied),
            "groups": [
                {
                    "key": group.key,
                    "label": group.label,
                    "agent_id": group.agent_id,
                    "channel": group.channel,
                    "period_start": group.period_start,
                    **figures(group.figures, group.satisfied),
                }
                for group in found.groups
            ],
        }
        return Response(SurveyAggregatesOutput(body).data)


urlpatterns = [
    path("surveys/responses/", SurveyResponseListApi.as_view(), name="api-survey-responses"),
    path(
        "surveys/responses/<id:response_id>/",
        SurveyResponseDetailApi.as_view(),
        name="api-survey-response",
    ),
    path("surveys/aggregates/", SurveyAggregatesApi.as_view(), name="api-survey-aggregates"),
]
