"""Customers, the policy and the SLA report."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome
from helpdesk.services.people import record_interaction
from helpdesk.services.sla import stop_clocks_for
from tests.helpdesk.factories import CustomerFactory
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(api):
    return api("manager")


def test_customers_create_find_update_and_history(manager, policy):
    created = manager.post(
        "/api/v1/customers/",
        {"name": "Ann", "email": "Ann@Example.org", "phone": "07700 900123"},
        format="json",
    )
    assert created.status_code == 201, created.content
    customer_id = created.json()["id"]
    assert created.json()["phone"] == "07700900123"
    by_email = manager.get("/api/v1/customers/?email=ann@example.org").json()["results"]
    by_phone = manager.get("/api/v1/customers/?phone=07700-900-123").json()["results"]
    assert [c["id"] for c in by_email] == [c["id"] for c in by_phone] == [customer_id]
    assert manager.get("/api/v1/customers/?phone=x").json()["results"] == []
    updated = manager.patch(
        f"/api/v1/customers/{customer_id}/", {"name": "Ann Smith"}, format="json"
    )
    assert updated.json()["name"] == "Ann Smith" and updated.json()["email"] == "Ann@Example.org"
    bad = manager.patch(f"/api/v1/customers/{customer_id}/", {"phone": "call me"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["phone"]
    customer = CustomerFactory._meta.model.objects.get(pk=customer_id)
    ticket = open_ticket(customer=customer, subject="Help", channel="email")
    record_interaction(customer=customer, channel="chat", kind="chat started")
    history = manager.get(f"/api/v1/customers/{customer_id}/history/").json()["results"]
    assert [(h["channel"], h["kind"]) for h in history] == [
        ("chat", "chat started"),
        ("email", "ticket opened"),
    ]
    assert history[1]["case_type"] == "ticket" and history[1]["case_id"] == ticket.pk
    assert manager.get("/api/v1/customers/99999/history/").status_code == 404


def test_a_customer_needs_someone_to_find_again(manager, db):
    response = manager.post("/api/v1/customers/", {"name": "Nobody"}, format="json")
    assert response.status_code == 400 and "email" in response.json()["error"]["fields"]


def test_policy_in_force_and_versions(manager, policy):
    body = manager.get("/api/v1/policy/").json()
    assert body["version"] == policy.version and body["status"] == "in force"
    assert body["targets"]["email.first_response"] == "8h"
    versions = manager.get("/api/v1/policy/versions/").json()["results"]
    assert [v["version"] for v in versions] == [policy.version]


@pytest.mark.parametrize(
    ("target", "start"),
    [
        ("complaints.acknowledge", "2026-11-20T17:00:00+00:00"),
        ("email.first_response", "2026-03-28T21:30:00+00:00"),
        ("chat.first_response", "2026-03-04T07:59:00+00:00"),
    ],
)
def test_deadline_answers_as_the_command_does(manager, policy, target, start):
    out = StringIO()
    call_command("policy", "deadline", target, start, stdout=out)
    query = urlencode({"target": target, "start": start})
    body = manager.get(f"/api/v1/policy/deadline/?{query}").json()
    expected = datetime.fromisoformat(out.getvalue().strip())
    assert datetime.fromisoformat(body["due_at"].replace("Z", "+00:00")) == expected
    assert body["due_at"].endswith("Z") and body["policy_version"] == policy.version


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"target": "email.nothing", "start": "2026-11-20T17:00:00+00:00"}, "target"),
        ({"target": "email.first_response", "start": "tomorrow"}, "start"),
        ({"target": "email.first_response", "start": "2026-11-20T17:00:00"}, "start"),
        ({"start": "2026-11-20T17:00:00+00:00"}, "target"),
    ],
)
def test_deadline_bad_input_names_the_field(manager, policy, query, field):
    response = manager.get(f"/api/v1/policy/deadline/?{urlencode(query)}")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_sla_report(api, policy, now):
    customer = CustomerFactory()
    for minutes in (10, 20, 30, 40):  # answered after 10..40 minutes: met
        ticket = open_ticket(customer=customer, subject="x", channel="email", opened_at=now)
        stop_clocks_for(
            case=ticket,
            targets=["email.acknowledge", "email.first_response"],
            at=now + timedelta(minutes=minutes),
        )
    late = open_ticket(customer=customer, subject="late", channel="phone", opened_at=now)
    Clock.objects.filter(case_id=late.pk, target="phone.first_response").update(
        outcome=ClockOutcome.BREACHED, breached_at=now
    )
    query = urlencode({"start": "2026-03-01T00:00:00Z", "end": "2026-03-05T00:00:00Z"})
    body = api("token:reports:read").get(f"/api/v1/reports/sla/?{query}").json()
    rows = {row["target"]: row for row in body["compliance"]}
    assert rows["email.first_response"] == {
        "target": "email.first_response",
        "channel": "email",
        "met": 4,
        "breached": 0,
        "running": 0,
        "cancelled": 0,
        "percent_met": 100.0,
    }
    assert rows["phone.first_response"]["breached"] == 1
    assert rows["phone.first_response"]["percent_met"] == 0.0
    assert rows["email.resolution"]["running"] == 4
    assert rows["email.resolution"]["percent_met"] is None
    times = {row["channel"]: row for row in body["first_response"]}
    assert times["email"] == {
        "channel": "email",
        "count": 4,
        "median_seconds": 1500.0,
        "p90_seconds": 2400.0,
    }
    assert body["start"] == "2026-03-01T00:00:00Z"
    bad = api("supervisor").get("/api/v1/reports/sla/?start=2026-03-05T00:00:00Z&end=2026-03-01")
    assert bad.status_code == 400 and "start" in bad.json()["error"]["fields"]


def test_report_defaults_to_the_last_30_days(api, policy, now):
    body = api("manager").get("/api/v1/reports/sla/").json()
    start = datetime.fromisoformat(body["start"].replace("Z", "+00:00"))
    assert start == now.astimezone(UTC) - timedelta(days=30)
