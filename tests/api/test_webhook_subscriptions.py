"""Webhook subscriptions are made, changed and deleted through one service
(`helpdesk.webhooks.subscriptions`): the API and the admin refuse the same things, with the
same words, and keep the same defaults."""

import pytest
from django.core.exceptions import ValidationError

from helpdesk.models import WebhookSubscription
from helpdesk.webhooks.subscriptions import check_subscription, subscription_create

pytestmark = pytest.mark.django_db

GOOD_URL = "https://crm.example.com/hooks"
REFUSED = [
    # (what is wrong, field, values)
    ("a private address", "url", {"url": "https://10.0.0.5/hooks"}),
    ("a secret too short to sign with", "secret", {"secret": "short"}),
]


def _api_subscribe(api, values):
    body = {"url": GOOD_URL, "events": ["ticket.created"], **values}
    return api("token:webhooks:manage").post("/api/v1/webhooks/", body, format="json")


def _admin_subscribe(admin_client, values):
    form = {"url": GOOD_URL, "events": ["ticket.created"], "is_active": "on", **values}
    return admin_client.post("/admin/helpdesk/webhooksubscription/add/", form)


@pytest.mark.parametrize(("wrong", "field", "values"), REFUSED)
def test_the_service_refuses_it(wrong, field, values):
    given = {"url": GOOD_URL, "events": ["*"], "secret": "s" * 32} | values
    with pytest.raises(ValidationError) as refusal:
        check_subscription(**given)
    assert set(refusal.value.message_dict) == {field}, wrong


@pytest.mark.parametrize(("wrong", "field", "values"), REFUSED)
def test_the_api_refuses_it_on_its_field(api, wrong, field, values):
    response = _api_subscribe(api, values)
    assert response.status_code == 400, wrong
    assert field in response.json()["error"]["fields"]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(("wrong", "field", "values"), REFUSED)
def test_the_admin_refuses_it_on_its_field(admin_client, wrong, field, values):
    response = _admin_subscribe(admin_client, values)
    assert response.status_code == 200, wrong  # the form again, with the error
    assert field in response.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()


def test_both_generate_a_secret_when_none_is_given(api, admin_client, staff):
    assert _api_subscribe(api, {}).status_code == 201
    assert _admin_subscribe(admin_client, {}).status_code == 302
    secrets = list(WebhookSubscription.objects.values_list("secret", flat=True))
    assert len(secrets) == 2 and all(len(secret) >= 32 for secret in secrets)


def test_the_admin_keeps_the_secret_when_the_field_is_left_empty(admin_client, staff):
    subscription = subscription_create(
        url=GOOD_URL, events=["ticket.created"], secret="k" * 20, created_by=staff["manager"]
    )
    response = admin_client.post(
        f"/admin/helpdesk/webhooksubscription/{subscription.pk}/change/",
        {"url": GOOD_URL, "events": ["*"], "is_active": "on", "secret": ""},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.events, subscription.secret) == (["*"], "k" * 20)


def test_the_api_changes_and_deletes_through_the_service(api, staff):
    client = api("token:webhooks:manage")
    subscription = subscription_create(
        url=GOOD_URL, events=["ticket.created"], created_by=staff["manager"]
    )
    url = f"/api/v1/webhooks/{subscription.pk}/"
    refused = client.patch(url, {"url": "https://192.168.1.9/hooks"}, format="json")
    assert refused.status_code == 400 and "url" in refused.json()["error"]["fields"]
    assert client.patch(url, {"is_active": False}, format="json").status_code == 200
    subscription.refresh_from_db()
    assert (subscription.url, subscription.is_active) == (GOOD_URL, False)
    assert client.delete(url).status_code == 204
    assert not WebhookSubscription.objects.exists()
