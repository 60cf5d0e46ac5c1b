"""Email out when the broker is down: a reply whose send could not be handed to Celery waits,
marked, and beat's sweep queues it again; the customer gets it exactly once, however many times
it is queued. The broker that is down is a real one that refuses connections (a closed port),
the email goes to a real SMTP server on loopback."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from config.celery import app as celery_app
from tests.helpdesk.factories import UserFactory
from tests.support.servers import free_port
from tickets.models import Message
from tickets.services import deliver_message, send_reply
from tickets.services.outbound import requeue_unsent_messages
from tickets.tasks import send_ticket_message

from .conftest import MONDAY_10AM

pytestmark = pytest.mark.django_db

GRACE = 60


@pytest.fixture
def agent():
    return UserFactory(username="maya", first_name="Maya", is_staff=True)


@pytest.fixture
def ticket(ingest):
    """Ann's ticket, its acknowledgement already sent by its own task."""
    ticket = ingest("plain.eml").ticket
    ticket.messages.filter(automatic="acknowledgement").update(sent_at=MONDAY_10AM)
    return ticket


@pytest.fixture
def sweep_settings(settings):
    settings.TICKETS_SEND_GRACE_SECONDS = GRACE
    settings.TICKETS_SEND_REQUEUE_AFTER_SECONDS = 3 * 3600
    return settings


def _forget_producers() -> None:
    """Let the next task pick its broker connection by the current settings. The pools stay
    open: kombu keeps one per broker URL for the whole process, and others use the usual one."""
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Celery's broker is a port where nothing listens: handing a task over fails at once."""
    conf = celery_app.conf
    saved = {key: conf[key] for key in ("broker_url", "task_always_eager")}
    conf.update(broker_url=f"redis://127.0.0.1:{free_port()}/0", task_always_eager=False)
    _forget_producers()
    yield
    conf.update(saved)
    _forget_producers()


def reply_while_the_broker_is_down(ticket, agent, capture) -> Message:
    with capture(execute=True):  # committed: its after-commit work runs (and fails to queue)
        reply = send_reply(ticket=ticket, author=agent, text="Could you send us a photo?")
    reply.refresh_from_db()
    return reply


def sweep(capture, *, at) -> int:
    with capture(execute=True):
        return requeue_unsent_messages(now=at)


def test_a_reply_queued_while_the_broker_was_down_is_sent_once_by_the_sweep(
    ticket, agent, broker_down, smtp_server, sweep_settings, time_machine,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    capture = django_capture_on_commit_callbacks
    reply = reply_while_the_broker_is_down(ticket, agent, capture)
    assert (reply.queued_at, reply.sent_at, reply.send_error) == (None, None, "")

    # Within the grace period nothing is queued again; then the broker is back.
    assert sweep(capture, at=MONDAY_10AM + timedelta(seconds=GRACE - 1)) == 0
    celery_app.conf.task_always_eager = celery_app.conf.task_eager_propagates = True
    later = MONDAY_10AM + timedelta(seconds=GRACE + 1)
    time_machine.move_to(later, tick=False)

    assert sweep(capture, at=later) == 1

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ann.lee@example.org"]
    assert b"Could you send us a photo?" in envelope.original_content
    reply.refresh_from_db()
    assert (reply.queued_at, reply.sent_at) == (later, later)
    # Sent: the next sweeps leave it, and its task run again sends nothing.
    assert sweep(capture, at=later + timedelta(hours=5)) == 0
    send_ticket_message.apply(args=[reply.pk]).get()
    assert len(smtp_server.envelopes) == 1


def test_only_emails_that_wait_too_long_are_queued_again(
    ticket, agent, sweep_settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    with capture(execute=False):  # queued (not run): its task is on its way
        on_its_way = send_reply(ticket=ticket, author=agent, text="On its way")
        given_up = send_reply(ticket=ticket, author=agent, text="Given up")
    Message.objects.filter(pk=given_up.pk).update(send_error="SMTPRecipientsRefused")

    with capture(execute=False) as queued:
        assert requeue_unsent_messages(now=MONDAY_10AM + timedelta(hours=1)) == 0
        # Handed over 3 hours ago and still not sent nor failed: its task was lost.
        assert requeue_unsent_messages(now=MONDAY_10AM + timedelta(hours=3, seconds=1)) == 1
    assert len(queued) == 1
    on_its_way.refresh_from_db()
    assert on_its_way.queued_at == MONDAY_10AM + timedelta(hours=3, seconds=1)


@pytest.mark.django_db(transaction=True)
def test_a_message_queued_twice_and_delivered_at_once_is_sent_once(
    ingest, agent, smtp_server, broker_down
):
    """Two runs of its task at the same moment (the sweep's and the first one, late): the row
    lock makes the second wait for the first and then find it sent."""
    if connection.vendor != "postgresql":
        pytest.skip("two transactions at once need PostgreSQL")
    reply = send_reply(ticket=ingest("plain.eml").ticket, author=agent, text="Only once")
    start = threading.Barrier(2)
    errors = []

    def deliver():
        try:
            start.wait(timeout=10)
            deliver_message(message_id=reply.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    sent = [e for e in smtp_server.envelopes if b"Only once" in e.original_content]
    assert len(sent) == 1


def test_beat_runs_the_sweep(celery_eager):
    from config.settings import base

    entry = base.CELERY_BEAT_SCHEDULE["tickets-send-sweep"]
    assert entry["task"] in celery_eager.tasks
    assert entry["schedule"] == base.TICKETS_SEND_SWEEP_SECONDS


@pytest.mark.parametrize("waiting", [1, 30])
def test_the_sweep_s_queries_do_not_grow_with_the_emails_it_queues(
    ticket, agent, waiting, sweep_settings, django_assert_num_queries,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(waiting):
            send_reply(ticket=ticket, author=agent, text=f"Reply {n}")
    Message.objects.filter(ticket=ticket, automatic="").update(queued_at=None)

    # One batch (find and lock, mark queued), then a search that finds nothing more, each in
    # its own transaction (a savepoint here).
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        django_assert_num_queries(7),
    ):
        assert requeue_unsent_messages(now=MONDAY_10AM + timedelta(minutes=5)) == waiting
    assert len(queued) == waiting
