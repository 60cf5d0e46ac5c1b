"""Named calendars for teams (POLICY.md, "More than one calendar"): a team names the calendar
it works to (admin and API), checked against the version in force; a version that drops a
calendar a team uses is refused, naming the teams; a case's clocks count its team's hours."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from helpdesk.models import PolicyVersion, Role
from helpdesk.policy import PolicyError
from helpdesk.services.sla import start_clock
from helpdesk.services.teams import set_team_calendar
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
from tests.helpdesk.sla_support import project_policy_text, publish_variant
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

US_SUPPORT = {
    "[channels.chat]\n": '[calendars.us-support]\ntimezone = "America/New_York"\n'
    'working_days = ["mon", "tue", "wed", "thu", "fri"]\n\n'
    '[calendars.us-support.hours]\nwed = ["08:00-20:00"]\n\n[channels.chat]\n'
}
# Wednesday 4 March 2026, 10:00 UTC = 05:00 in New York, before the team's hours open.
TEN_UTC = datetime(2026, 3, 4, 10, tzinfo=UTC)


@pytest.fixture
def with_us_support(time_machine):
    time_machine.move_to(TEN_UTC, tick=False)
    return publish_variant(version="1.1", effective="2026-02-01", replace=US_SUPPORT)


@pytest.fixture
def manager_client():
    client = APIClient()
    client.force_login(AgentFactory(role=Role.MANAGER, user=UserFactory(username="mo")).user)
    return client


def test_a_case_of_the_team_counts_the_team_hours(with_us_support):
    team = set_team_calendar(team=TeamFactory(name="US"), calendar="us-support")
    ticket = TicketFactory(team=team)

    clock = start_clock(case=ticket, target="email.first_response", started_at=TEN_UTC)

    # Opens 08:00 New York (13:00 UTC); 8 service hours later: 16:00 New York = 21:00 UTC.
    assert clock.calendar == "us-support"
    assert clock.due_at == datetime(2026, 3, 4, 21, tzinfo=UTC)


def test_an_unknown_calendar_is_refused_naming_the_known_ones(with_us_support):
    with pytest.raises(ValidationError) as refused:
        set_team_calendar(team=TeamFactory(), calendar="moon-base")

    assert "us-support" in str(refused.value.message_dict["calendar"])


def test_the_api_sets_a_team_calendar_and_refuses_an_unknown_one(with_us_support, manager_client):
    team = TeamFactory(name="US")

    bad = manager_client.patch(f"/api/v1/teams/{team.pk}/", {"calendar": "moon"}, format="json")
    good = manager_client.patch(
        f"/api/v1/teams/{team.pk}/", {"calendar": "us-support"}, format="json"
    )

    assert bad.status_code == 400
    assert "us-support" in bad.json()["error"]["fields"]["calendar"][0]
    assert good.status_code == 200 and good.json()["calendar"] == "us-support"
    listed = manager_client.get("/api/v1/teams/").json()["results"]
    assert listed == [{"id": team.pk, "name": "US", "calendar": "us-support"}]


def test_an_agent_cannot_move_a_team(with_us_support):
    client = APIClient()
    client.force_login(AgentFactory(role=Role.AGENT).user)
    team = TeamFactory()

    response = client.patch(f"/api/v1/teams/{team.pk}/", {"calendar": ""}, format="json")

    assert response.status_code == 403


def test_the_admin_form_names_the_known_calendars(with_us_support, admin_client):
    team = TeamFactory(name="US")

    response = admin_client.post(
        f"/admin/helpdesk/team/{team.pk}/change/", {"name": "US", "calendar": "moon"}
    )

    assert response.status_code == 200  # the form again, with the error
    assert "us-support" in response.content.decode()
    team.refresh_from_db()
    assert team.calendar == ""


def test_a_version_dropping_a_calendar_a_team_uses_is_refused_naming_the_teams(with_us_support):
    from helpdesk.services.policy import publish_policy_version

    set_team_calendar(team=TeamFactory(name="US"), calendar="us-support")
    set_team_calendar(team=TeamFactory(name="Nights"), calendar="us-support")
    without = project_policy_text().replace('version = "1.0"', 'version = "1.2"')

    with pytest.raises(PolicyError) as refused:
        publish_policy_version(document=without, approved_by="Jo", change_note="Drop US")

    assert any("us-support" in p and "Nights, US" in p for p in refused.value.problems)
    assert not PolicyVersion.objects.filter(version="1.2").exists()
