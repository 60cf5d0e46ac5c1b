"""The surveys endpoints: responses and their filters, and the aggregates, whose numbers are
the supervisors' page's (its CSV export) for the same period."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import services as chat_services
from helpdesk.models import Scope
from surveys.selectors import Filters, survey_report
from surveys.services import invite_to_survey, submit_survey_response
from tests.helpdesk.factories import AgentFactory, CustomerFactory, TeamFactory, UserFactory
from tests.surveys.factories import token_of
from tickets.services import open_ticket

from .conftest import NOW
from .live_schema import call_and_check, live_schema_fixture  # noqa: F401 (a fixture)

URL = "/api/v1/surveys/responses/"
AGGREGATES = "/api/v1/surveys/aggregates/"
LATER = NOW + timedelta(hours=1)


def surveyed(agent, *, channel="email", score=None, answered=True, comment="", customer=None):
    """A conversation handled by `agent` on `channel`, its invitation and (with a score) the
    customer's response."""
    customer = customer or CustomerFactory()
    if channel == "chat":
        conversation = chat_services.start_chat(name=customer.name, email=customer.email)
    else:
        conversation = open_ticket(
            customer=customer, subject="My order", channel=channel, assignee=agent
        )
    invitation = invite_to_survey(
        conversation=conversation, customer=customer, channel=channel, agent=agent
    )
    if score is None:
        return invitation
    return submit_survey_response(
        token=token_of(invitation), answered=answered, score=score, comment=comment
    )


@pytest.fixture
def team(db):
    return TeamFactory(name="Support")


@pytest.fixture
def bo(team):
    return AgentFactory(user=UserFactory(username="bo", first_name="Bo"), team=team).user


@pytest.fixture
def answers(policy, staff, bo, time_machine, now):
    """Last week: one answer for agent-1. This week: agent-1 a 5 and a poor 1 (a follow-up),
    Bo a 4 on chat and one invitation left unanswered. The clock then moves on an hour (a
    period's end is exclusive)."""
    time_machine.move_to(now - timedelta(days=7), tick=False)
    old = surveyed(staff["agent"], score=3)
    time_machine.move_to(now, tick=False)
    made = {
        "old": old,
        "five": surveyed(staff["agent"], score=5, comment="Lovely"),
        "poor": surveyed(staff["agent"], score=1, answered=False, comment="Never again"),
        "chat": surveyed(bo, channel="chat", score=4),
        "unanswered": surveyed(bo),
    }
    time_machine.move_to(LATER, tick=False)
    return made


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_response_reads_with_what_it_is_about(api, staff, answers, team):
    poor = answers["poor"]
    response = api("token:surveys:read").get(f"{URL}{poor.pk}/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["score"] == 1 and data["answered"] is False
    assert data["comment"] == "Never again" and data["channel"] == "email"
    assert data["conversation_type"] == "tickets.ticket"
    assert data["conversation_id"] == poor.invitation.conversation_id
    assert data["agent"]["username"] == "agent-1" and data["team"] is None
    assert data["customer"]["id"] == poor.invitation.customer_id
    assert data["submitted_at"] == "2026-03-04T10:00:00Z"
    assert data["follow_up"]["status"] == "open" and data["follow_up"]["due_at"].endswith("Z")
    chat = api("supervisor").get(f"{URL}{answers['chat'].pk}/").json()
    assert chat["conversation_type"] == "chat.chatsession" and chat["follow_up"] is None
    assert chat["agent"]["name"] == "Bo" and chat["team"] == {"id": team.pk, "name": "Support"}


def test_an_unknown_response_is_a_404(api, policy):
    response = api("manager").get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_filters_narrow_the_responses(api, staff, bo, team, answers, now):
    client = api("token:surveys:read")
    old, five, poor, chat = (answers[k].pk for k in ("old", "five", "poor", "chat"))
    assert ids(client.get(URL)) == [chat, poor, five, old]  # newest first
    assert ids(client.get(URL, {"agent": bo.pk})) == [chat]
    assert ids(client.get(URL, {"team": team.pk})) == [chat]
    assert ids(client.get(URL, {"channel": "chat"})) == [chat]
    assert ids(client.get(URL, {"score_min": 4})) == [chat, five]
    assert ids(client.get(URL, {"score_max": 3})) == [poor, old]
    assert ids(client.get(URL, {"score_min": 3, "score_max": 4})) == [chat, old]
    assert ids(client.get(URL, {"answered": "false"})) == [poor]
    assert ids(client.get(URL, {"follow_up": "true"})) == [poor]
    assert ids(client.get(URL, {"follow_up": "false"})) == [chat, five, old]
    since = (now - timedelta(days=1)).isoformat()
    assert ids(client.get(URL, {"submitted_after": since})) == [chat, poor, five]
    assert ids(client.get(URL, {"submitted_before": since})) == [old]
    customer = answers["five"].invitation.customer_id
    assert ids(client.get(URL, {"customer": customer})) == [five]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"score_min": "high"}, "score_min"),
        ({"submitted_after": "last week"}, "submitted_after"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, policy, params, field):
    response = api("supervisor").get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_query_count_does_not_grow_with_the_page(api, staff, policy, django_assert_num_queries):
    client = api("token:surveys:read")
    for _ in range(3):
        surveyed(staff["agent"], score=2)
    client.get(URL)  # warm: content types, last_used_at
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(URL).json()["results"]) == 3
    for n in range(27):
        agent = AgentFactory(user=UserFactory(username=f"a{n}"), team=TeamFactory()).user
        surveyed(agent, channel="chat" if n % 2 else "email", score=1 + n % 5)
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(URL).json()["results"]) == 30
    assert len(few.captured_queries) <= 5  # key, its use, the page


def _export(client, period: str) -> dict[tuple[str, str], dict]:
    """The supervisors' page's CSV export, by (section, label)."""
    response = client.get("/desk/surveys/export.csv", {"period": period})
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.content.decode()))
    return {(row["section"], row["label"]): row for row in rows}


def _same(row: dict, figures: dict) -> None:
    assert int(row["invitations"]) == figures["invitations"]
    assert int(row["responses"]) == figures["responses"]
    for name in ("response_rate", "answered_rate", "average_score"):
        expected = f"{figures[name]:.{2 if name == 'average_score' else 3}f}"
        assert row[name] == (expected if figures[name] is not None else ""), name


def test_aggregates_equal_the_supervisors_page(api, client, staff, answers, now):
    client.force_login(staff["supervisor"])
    page = _export(client, "30d")
    params = {"from": (LATER - timedelta(days=30)).isoformat(), "to": LATER.isoformat()}
    api_client = api("token:surveys:read")
    by_agent = api_client.get(AGGREGATES, {**params, "group_by": "agent"})
    assert by_agent.status_code == 200, by_agent.content
    data = by_agent.json()
    _same(page[("total", "all")], data["total"])
    assert {g["label"] for g in data["groups"]} == {"agent-1", "Bo"}
    for group in data["groups"]:
        _same(page[("agent", group["label"])], group)
    by_channel = api_client.get(AGGREGATES, {**params, "group_by": "channel"}).json()
    assert {g["channel"] for g in by_channel["groups"]} == {"email", "chat"}
    for group in by_channel["groups"]:
        _same(page[("channel", group["label"])], group)
    _same(page[("total", "all")], by_channel["total"])


def test_aggregates_by_agent(api, staff, bo, answers, now):
    response = api("supervisor").get(AGGREGATES, {"group_by": "agent"})  # the last 12 weeks
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scale"] == 5 and data["satisfied_from"] == 3
    assert data["to"] == "2026-03-04T11:00:00Z" and data["from"] == "2025-12-10T11:00:00Z"
    total = data["total"]
    assert (total["invitations"], total["responses"], total["answered"]) == (5, 4, 3)
    assert total["response_rate"] == 0.8 and total["answered_rate"] == 0.75
    assert total["average_score"] == 3.25
    assert total["satisfied"] == 3 and total["satisfied_rate"] == 0.75  # 5, 4 and 3
    groups = {g["label"]: g for g in data["groups"]}
    mine = groups["agent-1"]
    assert mine["agent_id"] == staff["agent"].pk and mine["key"] == str(staff["agent"].pk)
    assert (mine["invitations"], mine["responses"], mine["satisfied"]) == (3, 3, 2)
    assert mine["average_score"] == 3.0 and mine["satisfied_rate"] == pytest.approx(2 / 3)
    assert groups["Bo"]["agent_id"] == bo.pk and groups["Bo"]["response_rate"] == 0.5
    only_bo = api("supervisor").get(AGGREGATES, {"agent": bo.pk}).json()
    assert only_bo["total"]["invitations"] == 2 and len(only_bo["groups"]) == 1


def test_aggregates_by_week_and_month(api, answers, now):
    client = api("token:surveys:read")
    weeks = client.get(AGGREGATES, {"group_by": "period"}).json()
    assert weeks["period"] == "week"
    assert [(g["key"], g["responses"], g["satisfied"]) for g in weeks["groups"]] == [
        ("2026-02-23", 1, 1),
        ("2026-03-02", 3, 2),
    ]
    assert weeks["groups"][1]["period_start"] == "2026-03-02T00:00:00Z"
    months = client.get(AGGREGATES, {"group_by": "period", "period": "month"}).json()
    assert [(g["key"], g["invitations"]) for g in months["groups"]] == [
        ("2026-02-01", 1),
        ("2026-03-01", 4),
    ]
    report = survey_report(filters=Filters(start=LATER - timedelta(weeks=12), end=LATER))
    assert sum(g["invitations"] for g in months["groups"]) == report.total.invitations


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "customer"}, "group_by"),
        ({"group_by": "period", "period": "fortnight"}, "period"),
        ({"from": "last tuesday"}, "from"),
        ({"to": "2026-02-30T00:00:00Z"}, "to"),
        ({"from": "2026-03-04T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from"),
        ({"from": "2024-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
        ({"agent": "bo"}, "agent"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_aggregates_queries_are_a_400_naming_the_field(api, policy, params, field):
    response = api("supervisor").get(AGGREGATES, params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]


def test_aggregates_take_a_constant_number_of_queries(api, staff, answers, time_machine):
    client = api("token:surveys:read")
    client.get(AGGREGATES)
    with CaptureQueriesContext(connection) as few:
        client.get(AGGREGATES)
    for n in range(10):
        agent = AgentFactory(user=UserFactory(username=f"b{n}")).user
        surveyed(agent, score=4)
    time_machine.move_to(LATER + timedelta(minutes=1), tick=False)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(AGGREGATES).json()["groups"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_agents_customers_and_other_keys_are_refused(api, answers):
    assert api("agent").get(URL).status_code == 403  # like the page: supervisors and managers
    assert api("customer").get(AGGREGATES).status_code == 403
    assert api("anonymous").get(URL).status_code == 401
    response = api("token:chats:read").get(AGGREGATES)
    assert response.status_code == 403
    assert response.json()["error"]["message"] == (
        f"This key lacks the scope '{Scope.SURVEYS_READ}'."
    )


def test_filled_answers_match_the_schema(live_schema, make_key, answers):
    headers = {"Authorization": f"Token {make_key(Scope.SURVEYS_READ)}"}
    listed = call_and_check(live_schema, "GET /api/v1/surveys/responses/", headers=headers)
    assert len(listed.json()["results"]) == 4
    for answer in ("poor", "chat"):  # with a follow-up and without
        read = call_and_check(
            live_schema,
            "GET /api/v1/surveys/responses/{response_id}/",
            headers=headers,
            path={"response_id": answers[answer].pk},
        )
        assert read.json()["id"] == answers[answer].pk
    for query in ({"group_by": "agent"}, {"group_by": "channel"}, {"group_by": "period"}):
        found = call_and_check(
            live_schema, "GET /api/v1/surveys/aggregates/", headers=headers, query=query
        )
        assert found.json()["groups"], query


def test_aggregates_cut_weeks_in_the_team_s_time_zone(api, policy, staff, time_machine):
    """Sunday 23:30 UTC in summer is already Monday 00:30 in London: that answer counts in the
    week starting that Monday, as on the supervisors' page, whatever zone the API writes in."""
    from datetime import UTC, datetime

    monday_in_london = datetime(2026, 6, 28, 23, 30, tzinfo=UTC)
    time_machine.move_to(monday_in_london, tick=False)
    surveyed(staff["agent"], score=5)
    time_machine.move_to(monday_in_london + timedelta(hours=1), tick=False)

    weeks = api("supervisor").get(AGGREGATES, {"group_by": "period"}).json()["groups"]

    assert [(g["key"], g["period_start"]) for g in weeks] == [
        ("2026-06-29", "2026-06-28T23:00:00Z")  # Monday 00:00 BST
    ]
