"""Teams: read them, and set the policy calendar a team works to (POLICY.md, "More than one
calendar")."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from helpdesk.api.fields import JsonText
from helpdesk.models import Scope, Team
from helpdesk.services.teams import set_team_calendar

from ..base import ApiView
from ..permissions import MANAGERS, STAFF
from ..schema import paginated, responses


class TeamOutput(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name", "calendar"]
        extra_kwargs = {
            "id": {"help_text": "The team's id."},
            "name": {"help_text": "The team's name."},
            "calendar": {
                "help_text": "The policy's [calendars.NAME] the team works to; '' the default."
            },
        }


class TeamInput(serializers.Serializer):
    calendar = JsonText(
        allow_blank=True,
        max_length=Team._meta.get_field("calendar").max_length,
        help_text="A calendar of the policy in force; '' for the default [calendar].",
    )


class TeamAccess:
    # Reading teams goes with reading the policy; only a manager (signed in) moves a team.
    read_scope = Scope.POLICY_READ
    read_roles = STAFF
    write_roles = MANAGERS


class TeamListApi(TeamAccess, ApiView):
    @extend_schema(
        summary="Every team",
        operation_id="teams_list",
        description="Teams by name, each with the calendar it works to.",
        responses=responses({200: paginated(TeamOutput, "PaginatedTeamList")}),
        tags=["teams"],
    )
    def get(self, request):
        return self.paginate(request, Team.objects.all(), TeamOutput, ordering=("name", "pk"))


class TeamDetailApi(TeamAccess, ApiView):
    @extend_schema(
        summary="Read a team", responses=responses({200: TeamOutput}, 404), tags=["teams"]
    )
    def get(self, request, team_id: int):
        return Response(TeamOutput(get_object_or_404(Team, pk=team_id)).data)

    @extend_schema(
        summary="Set a team's calendar",
        description="The name must be a calendar of the policy in force (400 names the "
        "calendars it has); '' is the default [calendar]. Cases the team opens from now on "
        "count their targets in its hours; running ones keep theirs. Managers only, signed in.",
        request=TeamInput,
        responses=responses({200: TeamOutput}, 400, 404),
        tags=["teams"],
    )
    def patch(self, request, team_id: int):
        team = get_object_or_404(Team, pk=team_id)
        data = TeamInput(data=request.data)
        data.is_valid(raise_exception=True)
        team = set_team_calendar(team=team, calendar=data.validated_data["calendar"])
        return Response(TeamOutput(team).data)
