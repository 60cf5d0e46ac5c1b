"""Agents' replies and notes: what goes out, how it threads, and which targets it meets."""

import email
import email.policy
import socket
import threading
from smtplib import SMTPServerDisconnected

import pytest

from helpdesk.models.sla import ClockOutcome, ClockState
from tests.helpdesk.factories import UserFactory
from tickets.models import Direction, Status, TicketEventKind
from tickets.selectors import ticket_clocks
from tickets.services import add_internal_note, send_reply
from tickets.tasks import send_ticket_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="maya", first_name="Maya", last_name="Patel", is_staff=True)


@pytest.fixture
def ticket(ingest):
    return ingest("plain.eml").ticket


def first_response(ticket):
    return ticket_clocks(ticket=ticket).get(target="email.first_response")


def test_a_reply_meets_first_response_and_opens_the_ticket(ticket, agent):
    reply = send_reply(ticket=ticket, author=agent, text="Could you send us a photo?")

    assert reply.direction == Direction.OUTBOUND and reply.author == agent
    assert reply.subject == f"Re: My kettle stopped working [{ticket.reference}]"
    clock = first_response(ticket)
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    event = ticket.events.get(kind=TicketEventKind.STATUS)
    assert (event.old, event.new, event.actor) == ("new", "open", agent)
    assert ticket.customer.interactions.filter(kind="email sent", agent=agent).exists()


def test_an_internal_note_never_meets_first_response_and_is_never_sent(
    ticket, agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        note = add_internal_note(ticket=ticket, author=agent, text="Customer called too.")

    assert note.direction == Direction.INTERNAL
    assert first_response(ticket).state == ClockState.RUNNING
    # No email is queued (other after-commit work, such as the desk's live event, may be).
    assert [c for c in queued if getattr(c, "__module__", "") == "tickets.services.outbound"] == []
    send_ticket_message.apply(args=[note.pk])
    assert mailoutbox == []


def test_a_reply_is_sent_over_smtp_with_headers_that_thread_it(ticket, agent, smtp_server, ingest):
    customer_message = ticket.messages.get(direction=Direction.INBOUND)
    reply = send_reply(ticket=ticket, author=agent, text="Could you send us a photo?")

    send_ticket_message.apply(args=[reply.pk]).get()

    (envelope,) = smtp_server.envelopes
    assert envelope.rcpt_tos == ["ann.lee@example.org"]
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert received["Message-ID"].strip() == reply.message_id  # folded: it is long
    assert reply.message_id.endswith("@helpdesk.example>")
    # It answers the thread's latest message (our acknowledgement of Ann's email) and lists
    # the whole thread, so Ann's mail client shows one conversation.
    ack = ticket.messages.get(automatic="acknowledgement")
    assert received["In-Reply-To"].strip() == ack.message_id
    assert received["References"].split() == [customer_message.message_id, ack.message_id]
    assert received["Subject"] == f"Re: My kettle stopped working [{ticket.reference}]"
    body = received.get_content().replace("\r\n", "\n")
    assert body.startswith("Could you send us a photo?\n\n-- \nMaya Patel\nExample Support Ltd")
    assert "Auto-Submitted" not in received

    # Ann answers from her mail client: the answer threads back onto the ticket.
    answer = ingest("reply_references.eml", parent=reply.message_id)
    assert answer.kind == "reply" and answer.ticket == ticket


@pytest.fixture
def hanging_up_server(settings):
    """A mail server that accepts each connection and hangs up at once; counts the tries."""
    listener = socket.create_server(("127.0.0.1", 0))
    tries = []

    def serve():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            tries.append(connection)
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield tries
    listener.close()


def test_a_failing_mail_server_is_retried_then_the_ticket_is_told(ticket, agent, hanging_up_server):
    reply = send_reply(ticket=ticket, author=agent, text="Could you send us a photo?")

    result = send_ticket_message.apply(args=[reply.pk])

    assert result.failed() and isinstance(result.result, SMTPServerDisconnected)
    assert len(hanging_up_server) == 1 + send_ticket_message.max_retries
    reply.refresh_from_db()
    assert reply.sent_at is None
    assert reply.send_error.startswith("SMTPServerDisconnected")
    note = ticket.events.get(kind=TicketEventKind.NOTE).note
    assert note.startswith("The reply to ann.lee@example.org could not be sent")


def test_a_customer_without_email_cannot_be_replied_to(ticket, agent):
    ticket.customer.email = ""
    ticket.customer.save()

    with pytest.raises(Exception, match="no email address"):
        send_reply(ticket=ticket, author=agent, text="Hello")
