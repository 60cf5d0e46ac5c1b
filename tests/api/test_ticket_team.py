"""Moving a ticket to another team through the update endpoint: recorded on the timeline and
told to integrators (ticket.updated), an assignee outside the new team unassigned, an unknown
team a 400 naming the field."""

import pytest
from django.urls import reverse

from helpdesk.models import Clock
from tests.helpdesk.factories import TeamFactory
from tickets.models import Ticket, TicketEvent
from tickets.services import assign_ticket, move_ticket_to_team

from . import webhook_fixtures
from .webhook_fixtures import received

pytestmark = pytest.mark.django_db

delivered = webhook_fixtures.delivered


@pytest.fixture
def teams(db):
    return TeamFactory(name="Billing"), TeamFactory(name="Returns")


def in_team(user, team):
    user.agent_profile.team = team
    user.agent_profile.save(update_fields=["team"])
    return user


def changes(ticket) -> list[tuple[str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket).order_by("pk").values_list("kind", "old", "new")
    )


def patch(api, ticket, body, who="manager"):
    return api(who).patch(f"/api/v1/tickets/{ticket.pk}/", body, format="json")


def test_a_ticket_moves_to_another_team_and_integrators_hear_of_it(
    api, ticket, teams, delivered, receiver
):
    billing, returns = teams
    move_ticket_to_team(ticket=ticket, team=billing)
    with delivered("ticket.updated"):
        response = patch(api, ticket, {"team_id": returns.pk})
    assert response.status_code == 200, response.content
    assert response.json()["team"] == {"id": returns.pk, "name": "Returns"}
    assert changes(ticket) == [("team", "", "Billing"), ("team", "Billing", "Returns")]
    (data,) = received(receiver, "ticket.updated")
    assert (data["id"], data["team_id"]) == (ticket.pk, returns.pk)
    assert data["change"] == {"kind": "team", "old": "Billing", "new": "Returns", "note": ""}
    event = TicketEvent.objects.filter(kind="team").last()
    assert event.actor.username == "manager-1"


def test_an_assignee_outside_the_new_team_is_unassigned(api, ticket, teams, staff):
    billing, returns = teams
    agent = in_team(staff["agent"], billing)
    assign_ticket(ticket=ticket, assignee=agent)
    response = patch(api, ticket, {"team_id": returns.pk})
    assert response.json()["assignee"] is None
    assert changes(ticket)[-2:] == [("team", "", "Returns"), ("assignee", "agent-1", "")]
    running = Clock.objects.filter(case_id=ticket.pk, stopped_at__isnull=True)
    assert running and all(clock.assignee_id is None for clock in running)


def test_an_assignee_in_the_new_team_keeps_the_ticket(api, ticket, teams, staff):
    billing, returns = teams
    agent = in_team(staff["agent"], returns)
    assign_ticket(ticket=ticket, assignee=agent)
    assert patch(api, ticket, {"team_id": returns.pk}).json()["assignee"]["id"] == agent.pk
    assert changes(ticket)[-1] == ("team", "", "Returns")


def test_taken_off_its_team_a_ticket_keeps_its_assignee(api, ticket, teams, staff):
    billing, _ = teams
    agent = in_team(staff["agent"], billing)
    move_ticket_to_team(ticket=ticket, team=billing)
    assign_ticket(ticket=ticket, assignee=agent)
    body = patch(api, ticket, {"team_id": None}).json()
    assert body["team"] is None and body["assignee"]["id"] == agent.pk
    assert changes(ticket)[-1] == ("team", "Billing", "")


def test_the_same_team_changes_nothing(api, ticket, teams):
    billing, _ = teams
    move_ticket_to_team(ticket=ticket, team=billing)
    before = Ticket.objects.get(pk=ticket.pk).updated_at
    assert patch(api, ticket, {"team_id": billing.pk}).status_code == 200
    assert changes(ticket) == [("team", "", "Billing")]
    assert Ticket.objects.get(pk=ticket.pk).updated_at == before


def test_an_assignee_given_with_the_move_is_assigned_after_it(api, ticket, teams, staff):
    billing, returns = teams
    assign_ticket(ticket=ticket, assignee=in_team(staff["agent"], billing))
    body = patch(api, ticket, {"team_id": returns.pk, "assignee_id": staff["supervisor"].pk})
    assert (body_team := body.json())["team"]["id"] == returns.pk
    assert body_team["assignee"]["id"] == staff["supervisor"].pk


@pytest.mark.parametrize("team", [424242, "Returns", -1])
def test_an_unknown_team_is_a_400_naming_the_field(api, ticket, teams, team):
    response = patch(api, ticket, {"team_id": team, "priority": "urgent"})
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["team_id"]
    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.priority) == (None, "normal")  # nothing changed
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_moving_a_ticket_needs_the_write_scope(api, ticket, teams):
    _, returns = teams
    assert patch(api, ticket, {"team_id": returns.pk}, who="token:tickets:read").status_code == 403
    assert patch(api, ticket, {"team_id": returns.pk}, who="customer").status_code == 403
    assert patch(api, ticket, {"team_id": returns.pk}, who="token:tickets:write").status_code == 200


def test_the_desk_timeline_shows_the_move(client, ticket, teams, staff):
    billing, returns = teams
    move_ticket_to_team(ticket=ticket, team=billing)
    move_ticket_to_team(ticket=ticket, team=returns, actor=staff["manager"])
    client.force_login(staff["agent"])
    page = client.get(reverse("tickets:ticket", args=[ticket.number]))
    assert "moved to team Returns (was Billing)" in page.content.decode()
