"""The supervisors' page: permissions, figures and charts, filters, CSV export, follow-ups."""

import csv
import io

import pytest

from surveys.models import FollowUp, FollowUpStatus

from .factories import answered_survey

pytestmark = pytest.mark.django_db

DESK = "/desk/surveys/"
EXPORT = "/desk/surveys/export.csv"


@pytest.fixture
def data(make_ticket, agent):
    answered_survey(make_ticket, agent=agent, score=5)
    answered_survey(make_ticket, agent=agent, answered=False, score=1, comment="Never again")
    answered_survey(make_ticket, agent=agent)


@pytest.mark.parametrize("path", [DESK, EXPORT])
def test_anonymous_users_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("path", [DESK, EXPORT])
def test_agents_are_refused(client, agent, path):
    client.force_login(agent)
    assert client.get(path).status_code == 403


def test_supervisor_sees_figures_charts_and_follow_ups(client, supervisor, data):
    client.force_login(supervisor)
    response = client.get(DESK)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Response rate<strong>67%</strong>" in html
    assert "Satisfaction<strong>3.0</strong>" in html
    assert 'class="bar"' in html and 'width="66.7"' in html
    assert "Never again" in html
    assert '<a href="/desk/surveys/">Surveys</a>' in html  # in the desk's menu
    follow_up = FollowUp.objects.get()
    assert f"/desk/surveys/follow-ups/{follow_up.pk}/" in html


def test_manager_sees_the_page(client, manager, data):
    client.force_login(manager)
    assert client.get(DESK).status_code == 200


def test_filters_narrow_the_figures(client, supervisor, data, agent):
    client.force_login(supervisor)
    html = client.get(DESK, {"channel": "phone", "period": "7d"}).content.decode()
    assert "Responses<strong>0</strong>" in html
    html = client.get(DESK, {"agent": agent.pk, "period": "30d"}).content.decode()
    assert "Responses<strong>2</strong>" in html


def test_csv_export(client, supervisor, data):
    client.force_login(supervisor)
    response = client.get(EXPORT, {"period": "12w"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    total = rows[0]
    assert total["section"] == "total"
    assert (total["invitations"], total["responses"]) == ("3", "2")
    assert total["response_rate"] == "0.667" and total["average_score"] == "3.00"
    assert {row["section"] for row in rows} == {"total", "week", "agent", "channel"}
    assert any(row["label"] == "Alex" for row in rows if row["section"] == "agent")


def test_follow_up_page_links_transcript_and_complaint_and_closes(client, supervisor, data):
    follow_up = FollowUp.objects.get()
    client.force_login(supervisor)
    url = f"/desk/surveys/follow-ups/{follow_up.pk}/"
    html = client.get(url).content.decode()
    assert "Never again" in html
    ticket_id = follow_up.response.invitation.conversation_id
    assert f"/admin/tickets/ticket/{ticket_id}/change/" in html
    assert "/admin/complaints/complaint/add/?customer=" in html
    assert client.post(url, {"notes": ""}).status_code == 400
    response = client.post(url, {"notes": "Called Ann, apologised."})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.closed_by == supervisor


def test_follow_up_page_is_for_supervisors(client, agent, data):
    client.force_login(agent)
    assert client.get(f"/desk/surveys/follow-ups/{FollowUp.objects.get().pk}/").status_code == 403
