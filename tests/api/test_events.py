"""Which webhook events the ticket services emit (after commit), and the purge of old
Idempotency-Key responses."""

from datetime import timedelta

import pytest

from helpdesk.api.tasks import purge_idempotency_keys
from helpdesk.models import IdempotencyRecord, WebhookDelivery, WebhookSubscription
from tickets.services import add_internal_note, assign_ticket, change_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(db):
    return WebhookSubscription.objects.create(url="http://127.0.0.1:9/", events=["*"], secret="s")


def test_ticket_changes_and_messages_are_events(
    ticket, staff, subscription, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("helpdesk.webhooks.events.deliver_webhook.delay", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(ticket=ticket, status="open", actor=staff["agent"])
        assign_ticket(ticket=ticket, assignee=staff["agent"], actor=staff["manager"])
        add_internal_note(ticket=ticket, author=staff["agent"], text="Checked")
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event for d in deliveries] == ["ticket.updated", "ticket.updated", "message.created"]
    status_change = deliveries[0].payload["data"]["change"]
    assert status_change == {"kind": "status", "old": "new", "new": "open", "note": ""}
    assert deliveries[1].payload["data"]["assignee_id"] == staff["agent"].pk
    assert deliveries[2].payload["data"]["direction"] == "internal"
    assert deliveries[2].payload["data"]["ticket_id"] == ticket.pk


def test_a_rolled_back_change_is_no_event(ticket, staff, subscription):
    # Without a commit (the test's transaction is rolled back), nothing is delivered.
    change_status(ticket=ticket, status="open", actor=staff["agent"])
    assert not WebhookDelivery.objects.exists()


def test_old_idempotency_responses_are_purged(now):
    IdempotencyRecord.objects.create(
        owner="key:1",
        key="old",
        method="POST",
        path="/x",
        request_hash="h",
        status_code=201,
        created_at=now - timedelta(hours=25),
    )
    IdempotencyRecord.objects.create(
        owner="key:1",
        key="new",
        method="POST",
        path="/x",
        request_hash="h",
        status_code=201,
        created_at=now - timedelta(hours=1),
    )
    assert purge_idempotency_keys() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
