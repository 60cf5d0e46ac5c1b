"""Webhooks with a real Celery worker: a ticket opened in the app is delivered by the worker to
a real receiver on loopback, signed; a 500 is retried after its backoff and then delivered."""

import pytest

from helpdesk.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from tests.api.receiver import SECRET
from tests.helpdesk.factories import CustomerFactory
from tests.support.servers import wait_for
from tickets.services import open_ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fast_retries(monkeypatch):
    """The worker (a subprocess, settings from the environment) retries after 1 s, not 30."""
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "1")


def test_the_worker_delivers_signed_and_retries(
    fast_retries, receiver, celery_worker, round_the_clock_policy
):
    receiver.answers = [500]  # then 200
    WebhookSubscription.objects.create(url=receiver.url, events=["ticket.created"], secret=SECRET)
    ticket = open_ticket(customer=CustomerFactory(), subject="Kettle", channel="phone")

    def delivered() -> bool:
        return WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).exists()

    wait_for(delivered, timeout=30, what=f"the delivery\n{celery_worker.output()}")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code) == (2, 200)
    assert [r.signature_ok for r in receiver.received] == [True, True]
    assert {r.body["data"]["id"] for r in receiver.received} == {ticket.pk}
    assert "helpdesk.webhooks.tasks.deliver_webhook" in celery_worker.output()
