"""The agents' desk: their clocks and their team's, counting down, and their notifications."""

import pytest
from django.urls import reverse

from helpdesk.models import Notification
from helpdesk.services.sla import check_clock, start_clock, stop_clock
from tests.helpdesk.factories import AgentFactory
from tests.helpdesk.sla_support import at, eager_celery, make_case, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


def rows(html: str, section: str) -> str:
    """The part of the page under one heading."""
    start = html.index(f'id="{section}-heading"')
    end = html.find("</section>", start)
    return html[start:end]


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_desk_shows_warning_and_breached_badges_and_the_team(client, time_machine):
    staff = make_staff()
    teammate = AgentFactory(team=staff.team).user
    agent = staff.agent
    warning = start_clock(
        case=make_case(), target="chat.resolution", started_at=at(9, 40), assignee=agent
    )
    breached = start_clock(
        case=make_case(), target="chat.first_response", started_at=at(9), assignee=agent
    )
    fine = start_clock(
        case=make_case(), target="email.first_response", started_at=at(9), assignee=agent
    )
    done = start_clock(
        case=make_case(), target="email.acknowledge", started_at=at(9), assignee=agent
    )
    stop_clock(clock=done, at=at(9))
    theirs = start_clock(
        case=make_case(), target="phone.first_response", started_at=at(9), assignee=teammate
    )
    check_clock(clock_id=breached.pk, now=at(9, 2))
    check_clock(clock_id=warning.pk, now=at(10, 5))
    time_machine.move_to(at(10, 5), tick=False)

    client.force_login(agent)
    response = client.get(reverse("desk:home"))

    assert response.status_code == 200
    html = response.content.decode()
    mine = rows(html, "mine")
    assert "WARNING" in mine and "BREACHED" in mine and "OK" in mine
    # soonest due first
    assert mine.index("First response (chat)") < mine.index("Resolution (chat)")
    assert "Acknowledgement (email)" not in mine  # stopped
    assert f"#{warning.case_id}" in mine and f"#{fine.case_id}" in mine
    assert "0:05:00" in mine  # chat.resolution: due 10:10, shown at 10:05
    team = rows(html, "team")
    assert "First response (phone)" in team and teammate.username in team
    assert f"#{theirs.case_id}" in team and "Resolution (chat)" not in team
    notes = rows(html, "notifications")
    assert "Due soon: Resolution (chat)" in notes


def test_a_supervisor_sees_their_escalations(client):
    staff = make_staff()
    clock = start_clock(
        case=make_case(), target="chat.first_response", started_at=at(10), assignee=staff.agent
    )
    check_clock(clock_id=clock.pk, now=at(10, 2))
    client.force_login(staff.supervisor)
    html = client.get(reverse("desk:home")).content.decode()
    assert "SLA breached: First response (chat)" in rows(html, "notifications")


def test_marking_notifications_read_clears_them_from_the_desk(client):
    staff = make_staff()
    clock = start_clock(
        case=make_case(), target="chat.first_response", started_at=at(10), assignee=staff.agent
    )
    check_clock(clock_id=clock.pk, now=at(10, 0, 50))
    other = Notification.objects.create(recipient=staff.supervisor, kind="x", message="keep")
    client.force_login(staff.agent)

    response = client.post(reverse("desk:notifications-read"))

    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=staff.agent, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None
    html = client.get(reverse("desk:home")).content.decode()
    assert "No unread notifications." in html


def test_marking_read_needs_a_post(client):
    client.force_login(make_staff().agent)
    assert client.get(reverse("desk:notifications-read")).status_code == 405
