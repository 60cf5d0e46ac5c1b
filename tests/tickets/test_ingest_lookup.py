"""Email in, the first read and the acknowledge clock: what the one-statement look-up
(`tickets.services.inbound_lookup`) and an acknowledgement written with the opening must keep
doing for an agent."""

import pytest

from helpdesk.models.sla import ClockOutcome, ClockState
from tickets.models import AutoMessage, InboundEmail, InboundStatus, Message, Ticket
from tickets.selectors import ticket_clocks
from tickets.services import ingest_email

from .conftest import eml

pytestmark = pytest.mark.django_db


def new_email(n: int) -> bytes:
    return (
        eml("plain.eml")
        .replace(b"<CAF1234.kettle@mail.example.org>", f"<new-{n}@example.org>".encode())
        .replace(b"My kettle stopped working", f"Kettle number {n}".encode())
    )


def answer(*, parent: str, references: str, n: int) -> bytes:
    return (
        eml("reply_references.eml", parent=parent)
        .replace(b"<CAF1234.kettle@mail.example.org>", references.encode())
        .replace(b"<CAF5678.kettle-reply@mail.example.org>", f"<answer-{n}@example.org>".encode())
    )


def test_a_reply_naming_two_tickets_joins_the_one_it_answers(ingest):
    """References run from the thread's start to the parent: the nearest message wins."""
    older = ingest_email(raw=new_email(1)).ticket
    newer = ingest_email(raw=new_email(2)).ticket
    both = "<new-1@example.org> <new-2@example.org>"

    result = ingest_email(raw=answer(parent="<lost@elsewhere.example>", references=both, n=1))

    assert result.kind == "reply" and result.ticket == newer != older


def test_an_email_carrying_the_message_id_of_our_own_reply_is_a_duplicate(ingest):
    """A copy of our acknowledgement coming back through a mailbox is not a new email."""
    ticket = ingest("plain.eml").ticket
    ours = ticket.messages.get(automatic=AutoMessage.ACKNOWLEDGEMENT).message_id
    raw = eml("plain.eml").replace(b"<CAF1234.kettle@mail.example.org>", ours.encode())

    result = ingest_email(raw=raw)

    assert result.kind == "duplicate"
    assert Ticket.objects.count() == 1 and InboundEmail.objects.count() == 1


def test_a_failed_email_sent_again_replaces_its_failed_record(ingest, settings):
    settings.TICKETS_MAX_EMAIL_BYTES = 100
    failed = ingest("plain.eml")
    assert failed.kind == "failed"
    settings.TICKETS_MAX_EMAIL_BYTES = 10_000_000

    again = ingest("plain.eml")

    assert again.kind == "new"
    kept = InboundEmail.objects.get()
    assert kept.pk == failed.inbound.pk and kept.status == InboundStatus.PROCESSED
    assert kept.ticket == again.ticket


def test_an_acknowledged_email_ticket_has_its_acknowledge_clock_met_at_arrival(ingest, now):
    ticket = ingest("plain.eml").ticket

    clocks = {clock.target: clock for clock in ticket_clocks(ticket=ticket)}
    acknowledge = clocks["email.acknowledge"]
    assert (acknowledge.state, acknowledge.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert acknowledge.started_at == acknowledge.stopped_at == now
    assert acknowledge.next_check_at is None  # nothing left to check: no task, no sweep
    assert clocks["email.first_response"].state == ClockState.RUNNING
    assert Message.objects.filter(automatic=AutoMessage.ACKNOWLEDGEMENT).count() == 1


def test_an_auto_reply_ticket_has_no_acknowledge_clock(ingest):
    ticket = ingest("auto_reply.eml").ticket

    targets = {clock.target for clock in ticket_clocks(ticket=ticket)}
    assert "email.acknowledge" not in targets and "email.first_response" in targets
