"""Email in: a delivery report (RFC 3464) or a mail server's plain bounce is recognised as a
bounce of the desk's own email: the reply that bounced is marked not delivered (why, for which
address) on the ticket page and in the API, and its agent is told. A bounce never acknowledges,
never reopens, and one of an email the desk never sent is set aside, not failed."""

from datetime import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from helpdesk.models import Notification
from tickets.models import Direction, InboundEmail, InboundStatus, Message, Status
from tickets.services import change_status, ingest_email, send_reply

from .conftest import eml
from .desk_support import logged_in, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def maya(policy):
    return staff("maya", first_name="Maya", last_name="Patel")


@pytest.fixture
def ticket(ingest):
    return ingest("plain.eml").ticket


@pytest.fixture
def reply(ticket, maya, django_capture_on_commit_callbacks) -> Message:
    with django_capture_on_commit_callbacks(execute=False):
        return send_reply(ticket=ticket, author=maya, text="Could you send us a photo?")


def dsn(message: Message, *, tag: str = "1", name: str = "dsn_null_sender.eml") -> bytes:
    return eml(name, tag=tag, subject=message.subject, message_id=message.message_id)


def ingest_bounce(raw: bytes, capture):
    with capture(execute=False):
        return ingest_email(raw=raw)


def test_a_delivery_report_without_a_sender_marks_the_reply_not_delivered(
    ticket, reply, maya, now, django_capture_on_commit_callbacks
):
    outbound_before = ticket.messages.filter(direction=Direction.OUTBOUND).count()

    result = ingest_bounce(dsn(reply), django_capture_on_commit_callbacks)

    assert result.kind == "bounce" and result.ticket == ticket
    assert InboundEmail.objects.get(pk=result.inbound.pk).status == InboundStatus.PROCESSED
    reply.refresh_from_db()
    assert reply.bounced_at == now
    assert reply.bounce_recipient == "ann.lee@example.org"
    assert (reply.bounce_action, reply.bounce_status) == ("failed", "5.1.1")
    assert reply.bounce_diagnostic == (
        "smtp; 550 5.1.1 <ann.lee@example.org>: Recipient address rejected: "
        "User unknown in virtual mailbox table"
    )
    # Never acknowledged, never a reopening or a change of status.
    assert ticket.messages.filter(direction=Direction.OUTBOUND).count() == outbound_before
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_the_agent_is_told_their_reply_bounced(
    ticket, reply, maya, django_capture_on_commit_callbacks
):
    ingest_bounce(dsn(reply), django_capture_on_commit_callbacks)

    notification = Notification.objects.get(recipient=maya)
    assert notification.kind == "email.bounced"
    assert ticket.reference in notification.message
    assert "ann.lee@example.org" in notification.message and "5.1.1" in notification.message
    assert notification.url == reverse("tickets:ticket", args=[ticket.number])


def test_the_ticket_page_shows_the_reply_was_not_delivered(
    ticket, reply, maya, django_capture_on_commit_callbacks
):
    ingest_bounce(dsn(reply), django_capture_on_commit_callbacks)

    page = logged_in(maya).get(reverse("tickets:ticket", args=[ticket.number]))

    assert page.status_code == 200
    html = page.content.decode()
    item = html[html.index(f'id="message-{reply.pk}"') :]
    item = item[: item.index("</li>")]
    assert "not delivered to ann.lee@example.org" in item
    assert "5.1.1" in item and "User unknown in virtual mailbox table" in item


def test_the_api_shows_the_reply_was_not_delivered(
    ticket, reply, maya, now, django_capture_on_commit_callbacks
):
    ingest_bounce(dsn(reply), django_capture_on_commit_callbacks)
    client = APIClient()
    client.force_login(maya)

    timeline = client.get(f"/api/v1/tickets/{ticket.pk}/timeline/").json()

    shown = next(e["message"] for e in timeline if (e["message"] or {}).get("id") == reply.pk)
    assert datetime.fromisoformat(shown["bounced_at"].replace("Z", "+00:00")) == now
    assert shown["bounce"] == {
        "recipient": "ann.lee@example.org",
        "action": "failed",
        "status": "5.1.1",
        "diagnostic": "smtp; 550 5.1.1 <ann.lee@example.org>: Recipient address rejected: "
        "User unknown in virtual mailbox table",
    }
    acknowledgement = next(e["message"] for e in timeline if (e["message"] or {}).get("automatic"))
    assert acknowledgement["bounced_at"] is None and acknowledgement["bounce"] is None


def test_a_bounce_never_reopens_a_resolved_ticket(
    ticket, reply, django_capture_on_commit_callbacks
):
    change_status(ticket=ticket, status=Status.RESOLVED)

    ingest_bounce(dsn(reply), django_capture_on_commit_callbacks)

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_a_delivery_report_of_an_email_the_desk_never_sent_is_set_aside(
    policy, django_capture_on_commit_callbacks
):
    stranger = Message(subject="Re: Your invoice", message_id="<nobody@elsewhere.example>")

    result = ingest_bounce(dsn(stranger), django_capture_on_commit_callbacks)

    assert result.kind == "bounce" and result.ticket is None
    kept = InboundEmail.objects.get()
    assert kept.status == InboundStatus.IGNORED
    assert kept.error == "set aside: a bounce for an unknown message"
    assert Message.objects.count() == 0


def test_a_bounce_of_the_acknowledgement_tells_whoever_holds_the_ticket(
    ticket, maya, django_capture_on_commit_callbacks
):
    ticket.assignee = maya
    ticket.save(update_fields=["assignee"])
    acknowledgement = ticket.messages.get(automatic="acknowledgement")

    ingest_bounce(dsn(acknowledgement), django_capture_on_commit_callbacks)

    acknowledgement.refresh_from_db()
    assert acknowledgement.bounced_at is not None
    assert Notification.objects.get(recipient=maya).kind == "email.bounced"


def test_a_mail_servers_plain_bounce_marks_the_reply_not_delivered(
    ticket, reply, django_capture_on_commit_callbacks
):
    raw = dsn(reply, name="bounce_plain_text.eml")

    result = ingest_bounce(raw, django_capture_on_commit_callbacks)

    assert result.kind == "bounce" and result.ticket == ticket
    reply.refresh_from_db()
    assert reply.bounced_at is not None
    assert reply.bounce_recipient == "ann.lee@example.org"
    assert reply.bounce_action == "failed"
    assert reply.bounce_diagnostic == "550 5.2.2 Mailbox full"
