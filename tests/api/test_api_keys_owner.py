"""An API key acts as its owner and never does more than the owner may do NOW: its scopes are
bounded by the owner's current role; an inactive owner's key is a 401 and the key of an owner
without a role a 403 (both JSON); only active staff with a role can own a key."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from helpdesk.models import AgentProfile, ApiKey, Scope
from helpdesk.services.api_keys import api_key_create
from helpdesk.services.people import set_role

pytestmark = pytest.mark.django_db


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def reply(client, ticket):
    return client.post(f"/api/v1/tickets/{ticket.pk}/reply/", {"text": "Hello"}, format="json")


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]["message"]


def test_an_agents_key_cannot_do_what_an_agent_cannot(make_key, staff, ticket):
    key = make_key(*Scope.values, owner=staff["agent"])
    client = client_with(key)
    assert reply(client, ticket).status_code == 201  # agents reply to customers
    for url in ("/api/v1/webhooks/", "/api/v1/reports/sla/", "/api/v1/surveys/responses/"):
        message = error_of(client.get(url), 403)
        assert "role does not allow" in message


def test_a_key_follows_its_owners_current_role(make_key, staff, ticket):
    manager = staff["manager"]
    client = client_with(make_key(Scope.WEBHOOKS_MANAGE, Scope.TICKETS_WRITE, owner=manager))
    assert client.get("/api/v1/webhooks/").status_code == 200
    set_role(profile=manager.agent_profile, role="agent")
    manager.refresh_from_db()
    error_of(client.get("/api/v1/webhooks/"), 403)
    assert reply(client, ticket).status_code == 201


def test_the_key_of_an_owner_without_a_role_is_refused(make_key, staff, ticket):
    agent = staff["agent"]
    client = client_with(make_key(*Scope.values, owner=agent))
    AgentProfile.objects.filter(user=agent).delete()
    agent.is_staff = False
    agent.save(update_fields=["is_staff"])
    message = error_of(reply(client, ticket), 403)
    assert "no longer has a role" in message
    error_of(client.get("/api/v1/webhooks/"), 403)
    assert not ticket.messages.filter(text="Hello").exists()


def test_the_key_of_an_owner_who_is_no_longer_staff_is_refused(make_key, staff, ticket):
    agent = staff["agent"]
    client = client_with(make_key(Scope.TICKETS_WRITE, owner=agent))
    agent.is_staff = False
    agent.save(update_fields=["is_staff"])
    assert "no longer has a role" in error_of(reply(client, ticket), 403)


def test_an_inactive_owners_key_is_a_401(make_key, staff, ticket):
    agent = staff["agent"]
    client = client_with(make_key(Scope.TICKETS_WRITE, owner=agent))
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert "no longer active" in error_of(reply(client, ticket), 401)


def test_only_staff_with_a_role_can_own_a_key(customer_user, staff):
    with pytest.raises(ValidationError) as refused:
        api_key_create(name="CRM", owner=customer_user, scopes=[Scope.TICKETS_READ])
    assert "Only staff with a role" in str(refused.value)
    AgentProfile.objects.filter(user=staff["agent"]).delete()
    staff_without_role = type(staff["agent"]).objects.get(pk=staff["agent"].pk)
    with pytest.raises(ValidationError):
        api_key_create(name="CRM", owner=staff_without_role, scopes=[Scope.TICKETS_READ])
    assert not ApiKey.objects.exists()


def test_the_admin_offers_and_accepts_only_staff_with_a_role(admin_client, customer_user, staff):
    page = admin_client.get("/admin/helpdesk/apikey/add/").content.decode()
    assert f'value="{staff["agent"].pk}"' in page
    assert f'value="{customer_user.pk}"' not in page
    response = admin_client.post(
        "/admin/helpdesk/apikey/add/",
        {"name": "CRM", "owner": customer_user.pk, "scopes": ["tickets:read"]},
    )
    assert response.status_code == 200 and not ApiKey.objects.exists()
