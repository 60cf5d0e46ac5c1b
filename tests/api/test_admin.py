"""The admin of API keys (the key shown once, revoke) and of webhooks (the delivery log is
read-only)."""

import re

import pytest

from helpdesk.models import ApiKey, WebhookDelivery, WebhookSubscription
from helpdesk.services.api_keys import api_key_check

pytestmark = pytest.mark.django_db


def test_creating_a_key_shows_it_once(admin_client, staff):
    response = admin_client.post(
        "/admin/helpdesk/apikey/add/",
        {"name": "Telephony", "owner": staff["manager"].pk, "scopes": ["tickets:write"]},
        follow=True,
    )
    page = response.content.decode()
    key = re.search(r"Telephony: (hd_\S+) — copy it now", page).group(1)
    api_key = api_key_check(key=key)
    assert api_key is not None and api_key.scopes == ["tickets:write"]
    assert api_key.owner == staff["manager"]
    page = admin_client.get(f"/admin/helpdesk/apikey/{api_key.pk}/change/").content.decode()
    assert key not in page and api_key.prefix in page  # never shown again


def test_unknown_scopes_are_refused(admin_client, staff):
    response = admin_client.post(
        "/admin/helpdesk/apikey/add/",
        {"name": "x", "owner": staff["manager"].pk, "scopes": ["everything"]},
    )
    assert response.status_code == 200 and not ApiKey.objects.exists()


def test_revoke_action(admin_client, make_key):
    key = make_key("tickets:read")
    api_key = ApiKey.objects.get()
    admin_client.post(
        "/admin/helpdesk/apikey/",
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    assert ApiKey.objects.get().revoked_at is not None
    assert api_key_check(key=key) is None


def test_the_delivery_log_is_read_only(admin_client):
    subscription = WebhookSubscription.objects.create(
        url="https://crm.example.com/h", events=["*"], secret="s"
    )
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="ticket.created", payload={"data": {}}
    )
    assert admin_client.get("/admin/helpdesk/webhookdelivery/").status_code == 200
    page = admin_client.get(f"/admin/helpdesk/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.get("/admin/helpdesk/webhookdelivery/add/").status_code == 403


def test_subscribe_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/helpdesk/webhooksubscription/add/",
        {"url": "https://crm.example.com/h", "events": ["ticket.created"], "is_active": "on"},
    )
    assert response.status_code == 302, response.content
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["ticket.created"] and len(subscription.secret) >= 32
