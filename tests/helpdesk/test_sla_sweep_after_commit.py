"""The sweep's queries counted with its after-commit work: the `sla.breached` webhook events.

In a test transaction nothing registered with `on_commit` runs unless asked, so these tests run
the callbacks (`django_capture_on_commit_callbacks(execute=True)`) inside the count: that is
where a breach's webhook payloads and deliveries are built in production.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models import Clock, WebhookDelivery, WebhookSubscription
from helpdesk.services.sla import sweep_clocks
from helpdesk.webhooks.events import forget_wanted_events
from tests.helpdesk.sla_support import at, bulk_clocks, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return make_staff()


@pytest.fixture
def subscriber():
    return WebhookSubscription.objects.create(
        url="https://hooks.example.com/sla", events=["sla.breached"], secret="s" * 32
    )


def swept_with_after_commit(django_capture_on_commit_callbacks, breached: int, agent) -> int:
    """Queries of a sweep breaching `breached` clocks (chat first responses: no handler but the
    webhook's), its after-commit work included; the subscriptions' cache starts cold."""
    Clock.objects.all().delete()
    WebhookDelivery.objects.all().delete()
    bulk_clocks(breached, due_at=at(10), assignee=agent)
    forget_wanted_events()
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = sweep_clocks(now=at(10, 0, 5))
    assert report.breached == breached and report.batches == 1
    return len(queries)


def test_breach_events_cost_the_same_queries_for_3_or_30_breached_clocks(
    staff, subscriber, django_capture_on_commit_callbacks
):
    few = swept_with_after_commit(django_capture_on_commit_callbacks, 3, staff.agent)
    many = swept_with_after_commit(django_capture_on_commit_callbacks, 30, staff.agent)

    deliveries = list(WebhookDelivery.objects.filter(subscription=subscriber))
    assert len(deliveries) == 30  # every breach reaches the subscriber, once
    data = [d.payload["data"] for d in deliveries]
    assert {d["case_type"] for d in data} == {"customer"}
    assert all(d["started_at"] and d["breached_at"] for d in data)
    assert few == many


def test_without_a_subscriber_breach_events_cost_no_query_per_clock(
    staff, django_capture_on_commit_callbacks
):
    few = swept_with_after_commit(django_capture_on_commit_callbacks, 3, staff.agent)
    many = swept_with_after_commit(django_capture_on_commit_callbacks, 30, staff.agent)

    assert not WebhookDelivery.objects.exists()
    assert few == many
