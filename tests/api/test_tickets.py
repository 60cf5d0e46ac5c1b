"""The tickets endpoints: filters, creates, updates through the services, actions, errors,
UTC times, cursor pages, and a query count that does not grow with the page."""

from datetime import UTC, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from helpdesk.models import Clock, Interaction
from helpdesk.models.sla import ClockOutcome
from helpdesk.services.sla import stop_clocks_for
from tests.helpdesk.factories import CustomerFactory, TeamFactory
from tests.tickets.factories import TicketFactory
from tickets.apis import with_details
from tickets.models import Status, Ticket, TicketEvent
from tickets.serializers import TicketOutput, ticket_rows
from tickets.services import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(api):
    return api("manager")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_create_a_phone_ticket_for_a_new_caller(api, policy):
    response = api("token:tickets:write").post(
        "/api/v1/tickets/",
        {
            "subject": "Missed delivery",
            "channel": "phone",
            "priority": "high",
            "customer": {"name": "Cal", "phone": "+44 7700 900123"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert (ticket.channel, ticket.priority, ticket.customer.phone) == (
        "phone",
        "high",
        "+447700900123",
    )
    assert body["reference"] == ticket.reference
    assert body["created_at"] == "2026-03-04T10:00:00Z"  # ISO 8601, UTC
    assert {c["target"] for c in body["clocks"]} == {
        c.target for c in Clock.objects.filter(case_id=ticket.pk)
    }
    assert body["clocks"] and body["next_due_at"].endswith("Z")
    assert Interaction.objects.filter(customer=ticket.customer, kind="ticket opened").exists()


def test_create_finds_the_existing_customer_by_email(manager, policy):
    known = CustomerFactory(email="ann@example.org")
    response = manager.post(
        "/api/v1/tickets/",
        {"subject": "Hello", "customer": {"email": "ANN@example.org"}},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == known.pk
    assert response.json()["channel"] == "api"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"customer": {"email": "a@example.org"}}, "subject"),
        ({"subject": "x", "customer": {"email": "a@example.org"}, "channel": "fax"}, "channel"),
        ({"subject": "x"}, "customer"),
        ({"subject": "x", "customer": {"email": "not an email"}}, "email"),
        ({"subject": "x", "customer_id": 999999}, "customer_id"),
        ({"subject": "x", "customer": {"email": "a@example.org"}, "team_id": 999}, "team_id"),
        ({"subject": "x", "customer": {"email": "a@example.org"}, "priority": 3}, "priority"),
    ],
)
def test_a_bad_create_is_a_400_naming_the_field(manager, policy, body, field):
    response = manager.post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert not Ticket.objects.exists()


def test_unknown_ids_are_404(manager, policy):
    for path in ("/api/v1/tickets/424242/", "/api/v1/tickets/424242/timeline/"):
        response = manager.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    response = manager.post("/api/v1/tickets/424242/notes/", {"text": "x"}, format="json")
    assert response.status_code == 404


def test_update_goes_through_the_services(manager, ticket, staff):
    response = manager.patch(
        f"/api/v1/tickets/{ticket.pk}/",
        {"status": "pending_customer", "priority": "urgent", "assignee_id": staff["agent"].pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["priority"], body["assignee"]["id"]) == (
        "pending_customer",
        "urgent",
        staff["agent"].pk,
    )
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == {"status", "priority", "assignee"}
    assert all(c["state"] == "paused" for c in body["clocks"])  # pending customer pauses


def test_resolving_needs_a_summary(manager, ticket):
    response = manager.patch(f"/api/v1/tickets/{ticket.pk}/", {"status": "resolved"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    response = manager.post(f"/api/v1/tickets/{ticket.pk}/resolve/", {}, format="json")
    assert response.json()["error"]["fields"] == {"summary": ["This field is required."]}
    response = manager.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"summary": "  "}, format="json"
    )
    assert response.status_code == 400 and "summary" in response.json()["error"]["fields"]
    response = manager.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"summary": "Refunded"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    # Resolving again is the service's refusal: a 400 with a message, never a 500.
    response = manager.post(
        f"/api/v1/tickets/{ticket.pk}/resolve/", {"summary": "Again"}, format="json"
    )
    assert response.status_code == 400
    assert "already" in response.json()["error"]["message"]


def test_escalation_needs_notes(api, ticket, staff):
    agent = api("agent")
    response = agent.post(f"/api/v1/tickets/{ticket.pk}/escalate/", {"notes": ""}, format="json")
    assert response.status_code == 400 and "notes" in response.json()["error"]["fields"]
    response = agent.post(
        f"/api/v1/tickets/{ticket.pk}/escalate/", {"notes": "Over my limit"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "escalation"
    assert response.json()["actor"] == staff["agent"].username


def test_reply_note_and_timeline(manager, ticket, staff):
    reply = manager.post(f"/api/v1/tickets/{ticket.pk}/reply/", {"text": "On it"}, format="json")
    assert reply.status_code == 201 and reply.json()["direction"] == "outbound"
    note = manager.post(f"/api/v1/tickets/{ticket.pk}/notes/", {"text": "Hm"}, format="json")
    assert note.status_code == 201 and note.json()["direction"] == "internal"
    timeline = manager.get(f"/api/v1/tickets/{ticket.pk}/timeline/").json()
    kinds = [(entry["kind"], (entry["message"] or {}).get("direction")) for entry in timeline]
    assert ("message", "outbound") in kinds and ("message", "internal") in kinds
    assert ("event", None) in kinds  # new -> open, by the reply
    first_response = Clock.objects.get(case_id=ticket.pk, target="email.first_response")
    assert first_response.outcome == ClockOutcome.MET


@pytest.fixture
def listing(policy, staff, now):
    team = TeamFactory(name="Billing")
    ann = CustomerFactory(name="Ann", email="ann@example.org")
    bob = CustomerFactory(name="Bob", email="bob@example.org")
    email = open_ticket(customer=ann, subject="Refund for order", channel="email", team=team)
    phone = open_ticket(
        customer=bob, subject="Broken kettle", channel="phone", assignee=staff["agent"]
    )
    stop_clocks_for(case=email, targets=["email.acknowledge"], at=now)  # acknowledged at once
    old = TicketFactory(customer=bob, status=Status.CLOSED, priority="low")
    Ticket.objects.filter(pk=old.pk).update(
        created_at=now - timedelta(days=3), updated_at=now - timedelta(days=3)
    )
    ticket_type = ContentType.objects.get_for_model(Ticket)
    Clock.objects.filter(case_type=ticket_type, case_id=phone.pk).update(
        warn_at=now - timedelta(minutes=2), due_at=now - timedelta(minutes=1)
    )
    return {"email": email, "phone": phone, "old": old, "team": team, "ann": ann}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["old", "phone", "email"]),  # newest (by id) first
        ("status=closed", ["old"]),
        ("channel=phone", ["phone"]),
        ("priority=low", ["old"]),
        ("team={team}", ["email"]),
        ("assignee={agent}", ["phone"]),
        ("customer={ann}", ["email"]),
        ("breached=true", ["phone"]),
        ("breached=false", ["old", "email"]),
        ("due_before=2026-03-04T10:00:00Z", ["phone"]),
        ("updated_since=2026-03-04T00:00:00Z", ["phone", "email"]),
        ("search=kettle", ["phone"]),
        ("search=%23{email_number}", ["email"]),
    ],
)
def test_filters(manager, listing, staff, query, expected):
    query = query.format(
        team=listing["team"].pk,
        agent=staff["agent"].pk,
        ann=listing["ann"].pk,
        email_number=listing["email"].number,
    )
    found = ids(manager.get(f"/api/v1/tickets/?{query}"))
    assert found == [listing[name].pk for name in expected]


def test_a_bad_filter_is_a_400_naming_it(manager, listing):
    response = manager.get("/api/v1/tickets/?due_before=soon&status=lost")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"due_before", "status"}


def test_cursor_pages(manager, policy):
    customer = CustomerFactory()
    made = [TicketFactory(customer=customer).pk for _ in range(5)]
    first = manager.get("/api/v1/tickets/?page_size=2").json()
    assert len(first["results"]) == 2 and first["previous"] is None
    seen = [row["id"] for row in first["results"]]
    page = first
    while page["next"]:
        page = manager.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


@pytest.mark.parametrize("who", ["manager", "token:tickets:read"])
def test_query_count_does_not_grow_with_the_page(api, policy, django_assert_num_queries, who):
    client = api(who)
    customer = CustomerFactory()
    for _ in range(3):
        TicketFactory(customer=customer)
    client.get("/api/v1/tickets/")  # warm: content types, last_used_at
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/v1/tickets/").json()["results"]) == 3
    for _ in range(27):
        TicketFactory(customer=CustomerFactory())
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/tickets/").json()["results"]) == 30
    assert len(few.captured_queries) <= 5  # session or key, role, page, its details


def test_customer_details_in_the_list_are_the_customers(manager, listing):
    rows = manager.get(f"/api/v1/tickets/?team={listing['team'].pk}").json()["results"]
    assert rows[0]["customer"]["email"] == "ann@example.org"
    assert rows[0]["team"] == {"id": listing["team"].pk, "name": "Billing"}


def test_the_fast_list_rows_are_the_documented_shape(listing, staff):
    """The list builds its rows by hand (`ticket_rows`); they must equal `TicketOutput`."""
    tickets = with_details(list(Ticket.objects.order_by("-pk")))
    with timezone.override(UTC):
        assert ticket_rows(tickets) == TicketOutput(tickets, many=True).data
    assert any(row["assignee"] for row in ticket_rows(tickets))
    assert any(row["team"] for row in ticket_rows(tickets))


def test_a_reopened_ticket_shows_each_round_of_its_clocks(api, ticket, staff):
    from tickets.services import change_status, resolve_ticket

    resolve_ticket(ticket=ticket, actor=staff["agent"], summary="Sent it.")
    change_status(ticket=ticket, status=Status.OPEN, actor=staff["agent"])  # the customer wrote

    body = api("token:tickets:read").get(f"/api/v1/tickets/{ticket.pk}/").json()

    rounds = sorted((c["target"], c["round"], c["state"]) for c in body["clocks"])
    assert [r for r in rounds if r[0] == "email.first_response"] == [
        ("email.first_response", 1, "stopped"),
        ("email.first_response", 2, "running"),
    ]
