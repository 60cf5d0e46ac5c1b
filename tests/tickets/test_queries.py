"""Ingestion runs a number of queries that does not grow with the number of tickets or
messages there are (the issue's performance rule)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets.models import Direction
from tickets.selectors import thread_parent
from tickets.services import ingest_email

from .conftest import eml
from .factories import MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


def queries(raw: bytes, django_capture_on_commit_callbacks) -> int:
    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=False),
    ):
        result = ingest_email(raw=raw)
    assert result.kind in ("new", "reply")
    return len(captured)


def new_email(n: int) -> bytes:
    return (
        eml("plain.eml")
        .replace(b"ann.lee@example.org", f"sender{n}@mail.example.net".encode())
        .replace(b"<CAF1234.kettle@mail.example.org>", f"<new-{n}@example.org>".encode())
    )


def reply(ticket, n: int) -> bytes:
    return (
        eml("reply_references.eml", parent=thread_parent(ticket=ticket).message_id)
        .replace(b"ann.lee@example.org", ticket.customer.email.encode())
        .replace(b"<CAF5678.kettle-reply@mail.example.org>", f"<reply-{n}@example.org>".encode())
    )


def test_a_new_ticket_costs_the_same_however_many_tickets_exist(
    policy, django_capture_on_commit_callbacks
):
    ingest_email(raw=new_email(0))  # the process's first email fills its caches
    first = queries(new_email(1), django_capture_on_commit_callbacks)
    TicketFactory.create_batch(40)

    assert queries(new_email(2), django_capture_on_commit_callbacks) == first
    # The savepoint around the email (2), the look-up for duplicates (1), the customer (4: look-up,
    # savepoint, insert, release), the policy in force (1), the ticket (2: its number, its row),
    # its clocks (1, the acknowledge clock met already), the customer's history (1), the inbound
    # email, its message and the acknowledgement (3). It was 21 (docs/performance.md, "Email in
    # figures").
    assert first == 15


def test_a_reply_costs_the_same_on_a_long_thread(policy, django_capture_on_commit_callbacks):
    short = ingest_email(raw=new_email(1)).ticket
    long = ingest_email(raw=new_email(2)).ticket
    MessageFactory.create_batch(40, ticket=long, direction=Direction.OUTBOUND)

    on_short = queries(reply(short, 1), django_capture_on_commit_callbacks)
    on_long = queries(reply(long, 2), django_capture_on_commit_callbacks)

    assert on_long == on_short
    # The savepoint (2), the look-up for duplicates that also finds the thread (1), the ticket
    # (1), the inbound email, the message, the customer's history and the ticket's update (4).
    assert on_short == 8
