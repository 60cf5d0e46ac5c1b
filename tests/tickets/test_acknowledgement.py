"""The automatic acknowledgement: what the customer receives, and what never gets one."""

import pytest

from helpdesk.policy import parse_duration
from tickets.models import AutoMessage, Direction, Message
from tickets.services import ingest_email
from tickets.services.acknowledgement import promised_time
from tickets.tasks import send_ticket_message

from .conftest import eml

pytestmark = pytest.mark.django_db


def acknowledgement(ticket) -> Message:
    return ticket.messages.get(automatic=AutoMessage.ACKNOWLEDGEMENT)


def test_the_customer_is_told_the_reference_and_the_promised_time(ingest, mailoutbox):
    ticket = ingest("plain.eml").ticket
    ack = acknowledgement(ticket)

    send_ticket_message.apply(args=[ack.pk])

    (email,) = mailoutbox
    assert email.to == ["ann.lee@example.org"]
    assert email.from_email == "Example Support <support@helpdesk.example>"
    assert email.subject == f"Re: My kettle stopped working [{ticket.reference}]"
    assert f"logged it as {ticket.reference}" in email.body
    assert "We aim to reply within 8 working hours." in email.body
    assert email.body.startswith("Hello Ann Lee,")
    sent = email.message()
    assert sent["Message-ID"] == ack.message_id
    assert sent["In-Reply-To"] == "<CAF1234.kettle@mail.example.org>"
    assert sent["Auto-Submitted"] == "auto-replied"
    ack.refresh_from_db()
    assert ack.sent_at is not None
    assert ack.raw.read().startswith(b"Content-Type")


def test_an_acknowledgement_is_sent_once_however_often_the_task_runs(ingest, mailoutbox):
    ack = acknowledgement(ingest("plain.eml").ticket)

    send_ticket_message.apply(args=[ack.pk])
    send_ticket_message.apply(args=[ack.pk])

    assert len(mailoutbox) == 1


def test_the_acknowledgement_goes_through_celery_after_commit(
    policy, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ingest_email(raw=eml("plain.eml")).ticket

    (sent,) = mailoutbox
    assert sent.subject == f"Re: My kettle stopped working [{ticket.reference}]"


def test_auto_replies_and_newsletters_get_no_acknowledgement(
    policy, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        auto = ingest_email(raw=eml("auto_reply.eml"))
        bulk = ingest_email(raw=eml("newsletter.eml"))

    assert (auto.kind, bulk.kind) == ("auto", "auto")
    assert mailoutbox == []


def test_two_help_desks_never_loop(
    policy, celery_eager, django_capture_on_commit_callbacks, mailoutbox
):
    """Another desk acknowledges our acknowledgement (as we send ours: Auto-Submitted), and our
    acknowledgement echoed back to us is one we already have: neither is answered."""
    with django_capture_on_commit_callbacks(execute=True):
        ingest_email(raw=eml("plain.eml"))
    ours = mailoutbox[0].message()
    other_desk = mailoutbox[0].message()
    other_desk.replace_header("Message-ID", "<their-ack-1@other-desk.example>")
    other_desk.replace_header("From", "Other Desk <help@other-desk.example>")

    with django_capture_on_commit_callbacks(execute=True):
        echoed = ingest_email(raw=ours.as_bytes())
        theirs = ingest_email(raw=other_desk.as_bytes())

    assert echoed.kind == "duplicate"
    assert theirs.kind == "auto"  # it joined our thread (In-Reply-To) and was not answered
    assert len(mailoutbox) == 1
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("8h", "8 working hours"),
        ("1h", "1 working hour"),
        ("30m", "30 minutes"),
        ("90s", "90 seconds"),
        ("2wd", "2 working days"),
        ("1wd", "1 working day"),
        ("7d", "7 days"),
        ("0s", "a moment"),
    ],
)
def test_promised_time_reads_as_a_customer_would_say_it(written, said):
    assert promised_time(parse_duration(written)) == said
