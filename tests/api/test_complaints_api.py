"""The complaints endpoints: log (Idempotency-Key honoured), list with filters, read with
timeline and letters, and each workflow step through the same services as the admin."""

from datetime import timedelta

import pytest

from complaints.models import Complaint, ComplaintEvent, Letter, Status
from helpdesk.models import Notification, Scope
from tests.helpdesk.factories import CustomerFactory

URL = "/api/v1/complaints/"


def url(complaint, step: str = "") -> str:
    return f"{URL}{complaint.pk}/" + (f"{step}/" if step else "")


def log_body(staff, **extra):
    body = {
        "customer": {"name": "Grace", "email": "grace@example.org"},
        "channel": "phone",
        "category": "service",
        "severity": "high",
        "description": "Kept on hold for an hour.",
        "desired_outcome": "An apology.",
        "owner_id": staff["manager"].pk,
    }
    body.update(extra)
    return body


def test_an_agent_logs_a_complaint_once_per_idempotency_key(api, staff, policy, ticket):
    client = api("agent")
    body = log_body(staff, source=f"tickets.ticket:{ticket.pk}")
    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    complaint = Complaint.objects.get()
    data = first.json()
    assert data["reference"] == complaint.reference and data["status"] == "logged"
    assert data["customer"]["email"] == "grace@example.org"
    assert data["received_by"]["username"] == "agent-1"
    assert data["owner"]["id"] == staff["manager"].pk
    assert data["source"] == f"tickets.ticket:{ticket.pk}" and complaint.source == ticket
    assert data["acknowledge_due_at"].endswith("Z") and data["next_deadline"].endswith("Z")
    assert [e["kind"] for e in data["timeline"]] == ["logged"] and data["letters"] == []
    assert Notification.objects.filter(recipient=staff["manager"]).count() == 1
    changed = client.post(URL, {**body, "severity": "low"}, format="json",
                          HTTP_IDEMPOTENCY_KEY="k-1")  # fmt: skip
    assert changed.status_code == 422
    assert Complaint.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"category": ""}, "category"),
        ({"description": ""}, "description"),
        ({"customer": {}}, "customer"),
        ({"owner_id": "{agent}"}, "owner_id"),
        ({"received_at": "2027-01-01T00:00:00Z"}, "received_at"),  # the future: the service
        ({"source": "tickets.ticket:999999"}, "source"),
    ],
)
def test_logging_bad_input_is_a_400_naming_the_field(api, staff, policy, change, field):
    if change.get("owner_id") == "{agent}":
        change = {"owner_id": staff["agent"].pk}
    response = api("agent").post(URL, log_body(staff, **change), format="json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"]
    assert not Complaint.objects.exists()


def test_list_filters(api, staff, make_complaint, time_machine, now):
    logged = make_complaint("logged", channel="phone", category="billing")
    acknowledged = make_complaint("acknowledged")
    resolved = make_complaint("resolved")
    client = api("token:" + Scope.COMPLAINTS_READ)

    def ids(query=""):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [resolved.pk, acknowledged.pk, logged.pk]
    assert ids("status=acknowledged") == [acknowledged.pk]
    assert ids("channel=phone") == [logged.pk]
    assert ids("category=billing") == [logged.pk]
    assert ids(f"owner={staff['manager'].pk}") == [resolved.pk, acknowledged.pk, logged.pk]
    assert ids(f"owner={staff['agent'].pk}") == []
    assert ids(f"reference={logged.reference}") == [logged.pk]
    assert ids("overdue=true") == []
    time_machine.move_to(now + timedelta(days=60), tick=False)
    assert ids("overdue=true") == [acknowledged.pk, logged.pk]
    assert ids("overdue=false") == [resolved.pk]
    rows = client.get(URL).json()["results"]
    assert {row["id"]: row["overdue"] for row in rows} == {
        resolved.pk: False, acknowledged.pk: True, logged.pk: True}  # fmt: skip
    assert client.get(f"{URL}?status=nonsense").status_code == 400


def test_read_shows_timeline_and_letters(api, make_complaint):
    complaint = make_complaint("acknowledged")
    data = api("agent").get(url(complaint)).json()
    assert [e["kind"] for e in data["timeline"]] == [
        e.kind for e in ComplaintEvent.objects.filter(complaint=complaint)
    ]
    assert "acknowledged" in [e["kind"] for e in data["timeline"]]
    (letter,) = data["letters"]
    assert letter["kind"] == "acknowledgement" and letter["status"] == "sent"
    assert letter["sent_via"] == "post" and letter["has_enclosure"] is True
    assert "body" not in letter


def test_unknown_complaints_are_404(api, policy):
    client = api("manager")
    assert client.get(f"{URL}999999/").status_code == 404
    response = client.post(f"{URL}999999/acknowledge/", {"sent_via": "post"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_manager_takes_a_complaint_through_every_step(api, make_complaint):
    complaint = make_complaint("logged")
    client = api("token:" + Scope.COMPLAINTS_WRITE)  # a key acting as the manager

    def step(name, body):
        response = client.post(url(complaint, name), body, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    assert step("acknowledge", {"sent_via": "email"})["status"] == "acknowledged"
    assert step("investigate", {"note": "Asked the courier."})["status"] == "investigating"
    data = step("holding-letter", {"sent_via": "post", "expected_date": "2026-04-30"})
    assert data["expected_response_date"] == "2026-04-30"
    data = step("resolve", {"sent_via": "post", "outcome": "Replaced.",
                            "root_cause": "third_party", "remedy": "replacement"})  # fmt: skip
    assert data["status"] == "resolved" and data["remedy"] == "replacement"
    data = step("close", {"customer_satisfied": False, "note": "Still unhappy."})
    assert data["status"] == "closed" and data["customer_satisfied"] is False
    assert step("reopen", {"reason": "They wrote again."})["status"] == "reopened"
    assert step("withdraw", {"reason": "Sorted by phone."})["status"] == "withdrawn"
    kinds = [letter["kind"] for letter in data["letters"]]
    assert kinds == ["acknowledgement", "holding", "final"]


@pytest.mark.parametrize(
    ("state", "name", "body", "field"),
    [
        ("resolved", "acknowledge", {"sent_via": "post"}, "non_field_errors"),
        ("logged", "investigate", {}, "non_field_errors"),
        ("acknowledged", "holding-letter", {"sent_via": "post", "expected_date": "2026-03-04"},
         "expected_date"),
        ("logged", "resolve", {"sent_via": "post", "outcome": " ", "root_cause": "product",
                               "remedy": "refund"}, "outcome"),
        ("logged", "resolve", {"sent_via": "post", "outcome": "x", "root_cause": "fate",
                               "remedy": "refund"}, "root_cause"),
        ("logged", "withdraw", {"reason": ""}, "reason"),
        ("logged", "acknowledge", {"sent_via": "pigeon"}, "sent_via"),
    ],
)  # fmt: skip
def test_a_refused_step_is_a_400_and_changes_nothing(api, make_complaint, state, name, body,
                                                     field):  # fmt: skip
    complaint = make_complaint(state)
    events, letters = complaint.events.count(), Letter.objects.count()
    response = api("manager").post(url(complaint, name), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    complaint.refresh_from_db()
    assert complaint.status == state
    assert (complaint.events.count(), Letter.objects.count()) == (events, letters)


def test_emailing_a_letter_needs_the_customer_s_address(api, make_complaint):
    complaint = make_complaint("logged", customer=CustomerFactory(email="", phone="+447700900123"))
    response = api("manager").post(url(complaint, "acknowledge"), {"sent_via": "email"},
                                   format="json")  # fmt: skip
    assert response.status_code == 400
    assert "sent_via" in response.json()["error"]["fields"]


def test_a_key_acts_with_its_owner_s_role(api, staff, make_key, make_complaint):
    complaint = make_complaint("logged")
    client = api("anonymous")
    key = make_key(Scope.COMPLAINTS_READ, Scope.COMPLAINTS_WRITE, owner=staff["agent"])
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = client.post(url(complaint, "acknowledge"), {"sent_via": "post"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    complaint.refresh_from_db()
    assert complaint.status == Status.LOGGED
    logged = client.post(URL, log_body(staff), format="json")
    assert logged.status_code == 201
    assert logged.json()["received_by"]["username"] == "agent-1"
