"""The chat queue report: per day (the desk's time zone) and for the period, how many chats
waited, were answered, were abandoned (the customer left before an answer) or left as a
message, and the abandonment rate (abandoned / waited)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from chat import services
from chat.models import ChatSession, ChatStatus, EndReason
from chat.reports import chat_queue_report
from helpdesk.models import Role
from tests.helpdesk.factories import AgentFactory

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)


def chat(at: datetime, *, answered_by=None, end_reason: str = "") -> ChatSession:
    session = services.start_chat(name="Ann", email="ann@example.org", now=at)
    if answered_by is not None:
        services.accept_chat(session_id=session.pk, agent=answered_by, now=at)
    if end_reason:
        ChatSession.objects.filter(pk=session.pk).update(
            status=ChatStatus.MISSED, end_reason=end_reason, closed_at=at
        )
    return session


@pytest.fixture
def chats(policy, agent):
    # Day 1: 4 waited; 2 answered, 1 abandoned, 1 left a message.
    chat(DAY1, answered_by=agent)
    chat(DAY1, answered_by=agent)
    chat(DAY1, end_reason=EndReason.ABANDONED)
    chat(DAY1, end_reason=EndReason.LEFT_MESSAGE)
    # Day 2: 2 waited, both abandoned; one still waiting is not (yet) decided.
    chat(DAY2, end_reason=EndReason.ABANDONED)
    chat(DAY2, end_reason=EndReason.ABANDONED)
    chat(DAY2)


def test_the_report_counts_abandoned_chats_and_the_rate_per_day(chats):
    report = chat_queue_report(start=DAY1 - timedelta(hours=10), end=DAY2 + timedelta(hours=10))

    days = {
        row.day: (row.waited, row.answered, row.abandoned, row.left_message, row.abandonment_rate)
        for row in report.days
    }
    assert days == {
        date(2026, 3, 4): (4, 2, 1, 1, 25.0),
        date(2026, 3, 5): (3, 0, 2, 0, 66.7),
    }
    total = report.total
    assert (total.waited, total.answered, total.abandoned, total.left_message) == (7, 2, 3, 1)
    assert total.abandonment_rate == 42.9


def test_an_empty_period_has_no_rate(chats):
    report = chat_queue_report(start=DAY1 - timedelta(days=10), end=DAY1 - timedelta(days=9))
    assert report.days == [] and report.total.waited == 0
    assert report.total.abandonment_rate is None


def test_the_api_report(chats, client):
    client.force_login(AgentFactory(role=Role.SUPERVISOR).user)
    response = client.get(
        "/api/v1/reports/chat/", {"start": "2026-03-04T00:00:00Z", "end": "2026-03-06T00:00:00Z"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == {
        "waited": 7,
        "answered": 2,
        "abandoned": 3,
        "left_message": 1,
        "abandonment_rate": 42.9,
    }
    assert [(d["day"], d["abandoned"], d["abandonment_rate"]) for d in body["days"]] == [
        ("2026-03-04", 1, 25.0),
        ("2026-03-05", 2, 66.7),
    ]


def test_the_api_report_is_for_supervisors_and_says_what_is_wrong(chats, client, agent):
    client.force_login(agent)
    assert client.get("/api/v1/reports/chat/").status_code == 403
    client.force_login(AgentFactory(role=Role.SUPERVISOR).user)
    bad = client.get(
        "/api/v1/reports/chat/", {"start": "2026-03-06T00:00:00Z", "end": "2026-03-04T00:00:00Z"}
    )
    assert bad.status_code == 400
