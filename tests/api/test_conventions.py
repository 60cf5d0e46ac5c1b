"""The API's conventions: Idempotency-Key on creates, the error body, authentication by key
(revoked, malformed), throttling per key, times in UTC."""

from datetime import timedelta

import pytest

from helpdesk.models import ApiKey, Customer, IdempotencyRecord, Scope
from helpdesk.services.api_keys import api_key_create, api_key_revoke
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

BODY = {"subject": "Order 17", "customer": {"email": "ann@example.org"}}


def test_a_retry_with_the_same_key_returns_the_first_response(api, policy):
    client = api("token:tickets:write")
    first = client.post("/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, policy):
    client = api("manager")
    client.post("/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    other = {**BODY, "subject": "Something else"}
    response = client.post("/api/v1/tickets/", other, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Ticket.objects.count() == 1


def test_keys_belong_to_their_client_and_expire(api, policy, time_machine, now):
    api("token:tickets:write").post(
        "/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    # Another client's same key is its own.
    api("manager").post("/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert Ticket.objects.count() == 2
    client = api("manager")
    time_machine.move_to(now + timedelta(hours=25), tick=False)
    response = client.post("/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-3")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 3
    assert IdempotencyRecord.objects.filter(key="k-3").count() == 2


def test_a_refused_create_keeps_no_key(api, policy):
    client = api("manager")
    bad = client.post("/api/v1/tickets/", {"subject": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    good = client.post("/api/v1/tickets/", BODY, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201


def test_without_a_key_each_request_creates(api, policy):
    client = api("manager")
    client.post("/api/v1/customers/", {"phone": "+447700900001"}, format="json")
    client.post("/api/v1/customers/", {"phone": "+447700900001"}, format="json")
    assert Customer.objects.filter(phone="+447700900001").count() == 2


def test_errors_have_one_shape(api, policy, client):
    anonymous = client.get("/api/v1/tickets/")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"] == "Token"
    assert anonymous.json() == {
        "error": {
            "code": "not_authenticated",
            "message": "Authentication credentials were not provided.",
            "fields": {},
        }
    }
    bad_json = api("manager").post(
        "/api/v1/customers/", data="{nope", content_type="application/json"
    )
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "parse_error"
    duplicate = api("manager").post(
        "/api/v1/customers/", {"email": "login@example.org"}, format="json"
    )
    assert duplicate.status_code == 400
    assert list(duplicate.json()["error"]["fields"]) == ["email"]
    assert duplicate.json()["error"]["message"].startswith("email: ")


@pytest.mark.parametrize(
    "header",
    ["Token", "Token hd_nope_nope", "Token a b", "Token hd_00000000_secret"],
)
def test_bad_keys_are_401(client, db, header):
    response = client.get("/api/v1/tickets/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_revoked_key_is_refused_and_use_is_recorded(client, staff, now):
    created = api_key_create(name="CRM", owner=staff["manager"], scopes=[Scope.POLICY_READ])
    auth = {"HTTP_AUTHORIZATION": f"Token {created.key}"}
    assert client.get("/api/v1/policy/versions/", **auth).status_code == 200
    assert ApiKey.objects.get().last_used_at == now
    assert ApiKey.objects.get().secret_hash not in created.key
    api_key_revoke(api_key=created.api_key)
    assert client.get("/api/v1/policy/versions/", **auth).status_code == 401


def test_a_key_of_an_inactive_owner_is_refused(client, staff):
    created = api_key_create(name="CRM", owner=staff["agent"], scopes=[Scope.POLICY_READ])
    staff["agent"].is_active = False
    staff["agent"].save()
    response = client.get("/api/v1/policy/", HTTP_AUTHORIZATION=f"Token {created.key}")
    assert response.status_code == 401


def test_throttled_per_key(api, policy, settings):
    settings.API_THROTTLE_RATE = "3/min"
    first, second = api("token:policy:read"), api("token:policy:read")
    codes = [first.get("/api/v1/policy/versions/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    throttled = first.get("/api/v1/policy/versions/")
    assert throttled.json()["error"]["code"] == "throttled" and "Retry-After" in throttled
    assert second.get("/api/v1/policy/versions/").status_code == 200  # its own allowance


def test_the_schema_and_docs_are_public(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/tickets/" in schema.content
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/v1/docs/").status_code == 301
