"""Fixtures for tests of webhook events (imported by the test modules that use them): a real
receiver on loopback, and `delivered(*events)`, under which what is done commits and each
delivery it makes is sent by the real Celery task (run eagerly) to that receiver."""

import pytest

from config.celery import app as celery_app
from helpdesk.models import WebhookSubscription

from .receiver import SECRET


@pytest.fixture
def delivered(receiver, django_capture_on_commit_callbacks):
    """delivered(*events) -> a context in which what is done commits (its after-commit work
    runs) and each delivery is sent to the receiver, which a subscription to `events` names."""
    celery_app.loader.import_default_modules()
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True

    def subscribe(*events: str):
        WebhookSubscription.objects.create(url=receiver.url, events=list(events), secret=SECRET)
        return django_capture_on_commit_callbacks(execute=True)

    yield subscribe
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


def received(receiver, event: str) -> list[dict]:
    """The data of each `event` the receiver got, every one correctly signed."""
    assert all(r.signature_ok for r in receiver.received)
    return [r.body["data"] for r in receiver.received if r.event == event]
