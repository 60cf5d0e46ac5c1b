"""Email in: what an agent (and a supervisor) sees after an email arrives."""

from datetime import timedelta

import pytest

from helpdesk.models import Customer, Interaction
from helpdesk.models.people import Role
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.people import create_staff_member
from tickets.models import (
    Attachment,
    AutoMessage,
    Direction,
    InboundEmail,
    InboundStatus,
    Message,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.selectors import ticket_clocks
from tickets.services import change_status, ingest_email

from .conftest import MONDAY_10AM, eml
from .factories import MessageFactory

pytestmark = pytest.mark.django_db


def ingest_raw(raw: bytes):
    return ingest_email(raw=raw)


def counts() -> dict[str, int]:
    models = (Ticket, Message, InboundEmail, Customer, Interaction, TicketEvent, Attachment)
    return {model.__name__: model.objects.count() for model in models}


def clocks(ticket) -> dict[str, object]:
    return {clock.target: clock for clock in ticket_clocks(ticket=ticket)}


def acknowledgement(ticket) -> Message:
    return ticket.messages.get(automatic=AutoMessage.ACKNOWLEDGEMENT)


def test_an_email_opens_a_ticket_for_its_sender(ingest):
    result = ingest("plain.eml")

    assert result.kind == "new" and result.opened
    ticket = result.ticket
    assert ticket.subject == "My kettle stopped working"
    assert ticket.customer.name == "Ann Lee"
    assert ticket.customer.email == "ann.lee@example.org"
    assert (ticket.channel, ticket.status, ticket.priority) == ("email", "new", "normal")
    assert ticket.reference == f"#{ticket.number}" and ticket.number >= 1000
    message = ticket.messages.get(direction=Direction.INBOUND)
    assert message.text.startswith("Hello,\n\nThe kettle I bought last week")
    assert message.message_id == "<CAF1234.kettle@mail.example.org>"
    inbound = InboundEmail.objects.get()
    assert inbound.status == InboundStatus.PROCESSED and inbound.ticket == ticket
    assert inbound.raw.read() == eml("plain.eml")
    assert ticket.customer.interactions.get().kind == "ticket opened"


def test_a_new_ticket_runs_the_email_clocks_of_the_policy_it_opened_under(ingest, policy):
    ticket = ingest("plain.eml").ticket

    assert ticket.policy_version == policy
    found = clocks(ticket)
    assert set(found) == {"email.acknowledge", "email.first_response", "email.resolution"}
    # Acknowledged on arrival ("0s"): met, not breached by the seconds Celery takes to send.
    assert found["email.acknowledge"].outcome == ClockOutcome.MET
    first = found["email.first_response"]
    assert first.state == ClockState.RUNNING
    assert first.due_at == MONDAY_10AM + timedelta(hours=8)  # 8 service hours, all today
    assert first.policy_version == policy


def test_the_acknowledgement_is_queued_as_a_reply_to_the_customer(ingest):
    ticket = ingest("plain.eml").ticket

    ack = acknowledgement(ticket)
    assert ack.direction == Direction.OUTBOUND
    assert ack.to == "ann.lee@example.org"
    assert ack.in_reply_to == "<CAF1234.kettle@mail.example.org>"
    assert ack.message_id.endswith("@helpdesk.example>")
    assert ack.sent_at is None  # Celery sends it


def test_a_reply_threads_by_in_reply_to_our_own_message(ingest):
    ticket = ingest("plain.eml").ticket
    ours = acknowledgement(ticket).message_id

    result = ingest("reply_references.eml", parent=ours)

    assert result.kind == "reply" and result.ticket == ticket
    reply = ticket.messages.filter(direction=Direction.INBOUND).last()
    assert reply.text == "Here is the photo you asked for: the switch light stays off."
    assert reply.quoted_text.startswith("On Mon, 2 Mar 2026 at 11:00, Help Desk")
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(automatic=AutoMessage.ACKNOWLEDGEMENT).count() == 1
    assert ticket.customer.interactions.filter(kind="email received").count() == 1


def test_a_reply_threads_by_references_when_in_reply_to_is_unknown(ingest):
    ticket = ingest("plain.eml").ticket

    result = ingest("reply_references.eml", parent="<lost@elsewhere.example>")

    assert result.kind == "reply" and result.ticket == ticket


def test_a_reply_threads_by_the_reference_in_its_subject(ingest):
    ticket = ingest("plain.eml").ticket

    result = ingest("reply_subject_ref.eml", number=ticket.number)

    assert result.kind == "reply" and result.ticket == ticket
    reply = ticket.messages.filter(direction=Direction.INBOUND).last()
    assert reply.text == "It works again after a reset, thanks!"
    assert reply.quoted_text.startswith("-----Original Message-----")


def test_a_stranger_cannot_write_into_a_ticket_by_typing_its_reference(ingest):
    ticket = ingest("plain.eml").ticket
    raw = eml("reply_subject_ref.eml", number=ticket.number).replace(
        b"Ann Lee <ann.lee@example.org>", b"Mallory <mallory@evil.example>", 1
    )

    result = ingest_raw(raw)

    assert result.kind == "new" and result.ticket != ticket
    assert ticket.messages.filter(from_address="mallory@evil.example").count() == 0


def test_the_same_email_twice_is_a_duplicate_and_changes_nothing(ingest):
    ingest("plain.eml")
    before = counts()

    result = ingest("plain.eml")

    assert result.kind == "duplicate" and result.ticket is None
    assert counts() == before


def test_the_same_message_id_with_other_bytes_is_a_duplicate(ingest):
    ingest("plain.eml")
    before = counts()

    result = ingest_raw(b"Received: from relay2.example.org\n" + eml("plain.eml"))

    assert result.kind == "duplicate"
    assert counts() == before


def test_without_a_message_id_the_same_bytes_are_a_duplicate(ingest):
    first = ingest("no_message_id.eml")
    before = counts()

    assert ingest("no_message_id.eml").kind == "duplicate"
    assert counts() == before
    other = ingest_raw(eml("no_message_id.eml").replace(b"two weeks", b"three weeks"))
    assert other.kind == "new" and other.ticket != first.ticket


def test_garbage_is_kept_raw_and_marked_failed(ingest):
    result = ingest("garbage.eml")

    assert result.kind == "failed" and result.ticket is None
    inbound = InboundEmail.objects.get()
    assert inbound.status == InboundStatus.FAILED
    assert inbound.error == "not an email: it has no headers"
    assert inbound.raw.read() == eml("garbage.eml")
    assert Ticket.objects.count() == 0


def test_failing_again_keeps_one_record(ingest):
    ingest("garbage.eml")
    result = ingest("garbage.eml")

    assert result.kind == "failed"
    assert InboundEmail.objects.count() == 1


def test_an_email_the_desk_cannot_take_is_kept_failed_and_nothing_half_done(ingest):
    raw = eml("plain.eml").replace(b"<ann.lee@example.org>", b"<ann@no-dot-domain>")

    result = ingest_raw(raw)

    assert result.kind == "failed"
    assert "not a valid email address" in result.inbound.error
    assert (Ticket.objects.count(), Customer.objects.count(), Message.objects.count()) == (0, 0, 0)
    assert InboundEmail.objects.get().status == InboundStatus.FAILED


def test_an_email_over_the_size_limit_is_kept_failed(ingest, settings):
    settings.TICKETS_MAX_EMAIL_BYTES = 100

    result = ingest("plain.eml")

    assert result.kind == "failed" and "larger than the 100 bytes limit" in result.error
    assert InboundEmail.objects.get().raw.read() == eml("plain.eml")


def test_failed_emails_are_listed_for_supervisors(ingest, client):
    ingest("garbage.eml")
    supervisor = create_staff_member(
        username="sue", email="sue@helpdesk.example", password="pw-123-long!", role=Role.SUPERVISOR
    )
    client.force_login(supervisor.user)

    page = client.get("/admin/tickets/inboundemail/?status__exact=failed")

    assert page.status_code == 200
    assert "not an email: it has no headers" in page.content.decode()


def test_an_auto_reply_opens_a_ticket_but_is_never_acknowledged(ingest):
    result = ingest("auto_reply.eml")

    assert result.kind == "auto" and result.opened
    assert not result.ticket.messages.filter(direction=Direction.OUTBOUND).exists()
    assert "email.acknowledge" not in clocks(result.ticket)
    note = result.ticket.messages.get().notes
    assert note.startswith("Sent automatically (Auto-Submitted: auto-replied)")


def test_a_newsletter_is_never_acknowledged(ingest):
    result = ingest("newsletter.eml")

    assert result.kind == "auto"
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_an_auto_reply_in_a_thread_does_not_bring_a_ticket_back(ingest):
    ticket = ingest("plain.eml").ticket
    change_status(ticket=ticket, status=Status.PENDING_CUSTOMER)
    in_reply_to = f"In-Reply-To: {acknowledgement(ticket).message_id}\n".encode()
    raw = eml("auto_reply.eml").replace(b"MIME-Version", in_reply_to + b"MIME-Version")

    result = ingest_raw(raw)

    assert result.kind == "auto" and result.ticket == ticket and not result.opened
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING_CUSTOMER


def test_a_bounce_becomes_a_note_on_the_ticket_whose_email_bounced(ingest):
    ticket = ingest("plain.eml").ticket
    MessageFactory(
        ticket=ticket, direction=Direction.OUTBOUND, message_id="<reply-0001@helpdesk.example>"
    )

    result = ingest("bounce.eml")

    assert result.kind == "bounce" and result.ticket == ticket
    note = ticket.messages.get(direction=Direction.INTERNAL)
    assert note.text.startswith("An email to the customer could not be delivered.")
    assert "550 5.1.1" in note.text
    assert ticket.messages.filter(direction=Direction.OUTBOUND).count() == 2  # ack + reply
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_a_bounce_of_nothing_of_ours_is_kept_ignored(ingest):
    result = ingest("bounce.eml")

    assert result.kind == "bounce" and result.ticket is None
    assert InboundEmail.objects.get().status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 0


def test_a_reply_to_a_closed_ticket_reopens_it(ingest):
    ticket = ingest("plain.eml").ticket
    change_status(ticket=ticket, status=Status.CLOSED)

    result = ingest("reply_references.eml", parent=acknowledgement(ticket).message_id)

    assert result.kind == "reply" and result.ticket == ticket
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    event = ticket.events.last()
    assert (event.old, event.new, event.actor, event.note) == (
        "closed", "open", None, "The customer wrote."
    )  # fmt: skip


def test_a_reply_to_a_closed_ticket_can_open_a_linked_one(ingest, settings):
    settings.TICKETS_REPLY_TO_CLOSED = "new"
    old = ingest("plain.eml").ticket
    change_status(ticket=old, status=Status.CLOSED)

    result = ingest("reply_references.eml", parent=acknowledgement(old).message_id)

    assert result.kind == "new" and result.ticket != old
    assert result.ticket.linked_ticket == old
    assert result.ticket.customer == old.customer
    old.refresh_from_db()
    assert old.status == Status.CLOSED
    reference = result.ticket.reference
    assert old.events.last().note == f"A reply to this closed ticket opened {reference}."
    assert acknowledgement(result.ticket).to == "ann.lee@example.org"


def test_pending_customer_pauses_the_clocks_and_a_reply_resumes_them(ingest, time_machine):
    ticket = ingest("plain.eml").ticket
    due = clocks(ticket)["email.first_response"].due_at

    change_status(ticket=ticket, status=Status.PENDING_CUSTOMER)
    paused = clocks(ticket)
    assert paused["email.first_response"].state == ClockState.PAUSED
    assert paused["email.resolution"].state == ClockState.PAUSED
    assert paused["email.acknowledge"].state == ClockState.STOPPED

    time_machine.move_to(MONDAY_10AM + timedelta(hours=1), tick=False)
    ingest("reply_references.eml", parent=acknowledgement(ticket).message_id)

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    resumed = clocks(ticket)["email.first_response"]
    assert resumed.state == ClockState.RUNNING
    assert resumed.due_at == due + timedelta(hours=1)  # the hour waiting on Ann does not count
    assert resumed.paused_seconds == 3600


def test_attachments_are_stored_with_their_names(ingest):
    ticket = ingest("rfc2231_filename.eml").ticket

    attachment = Attachment.objects.get(message__ticket=ticket)
    assert attachment.filename == "facture décembre.pdf"
    assert (attachment.content_type, attachment.inline) == ("application/pdf", False)
    assert attachment.file.read().startswith(b"%PDF-1.4")
    assert attachment.size == attachment.file.size


def test_an_inline_image_is_stored_inline(ingest):
    ticket = ingest("inline_image.eml").ticket

    image = Attachment.objects.get(message__ticket=ticket)
    assert image.inline and image.content_id == "lid-photo@mail.example.org"
    assert 'src="cid:lid-photo@mail.example.org"' in ticket.messages.first().html


def test_an_oversized_attachment_is_left_out_with_a_note(ingest, settings):
    settings.TICKETS_MAX_ATTACHMENT_BYTES = 1024

    ticket = ingest("oversized.eml").ticket

    message = ticket.messages.get(direction=Direction.INBOUND)
    assert [a.filename for a in message.attachments.all()] == ["note.txt"]
    assert "'kettle.log' (3 KB) was not kept" in message.notes


def test_a_supervisor_can_retry_a_failed_email_once_the_cause_is_fixed(ingest, settings, client):
    settings.TICKETS_MAX_EMAIL_BYTES = 100
    failed = ingest("plain.eml").inbound
    supervisor = create_staff_member(
        username="sue", email="sue@helpdesk.example", password="pw-123-long!", role=Role.SUPERVISOR
    )
    client.force_login(supervisor.user)
    settings.TICKETS_MAX_EMAIL_BYTES = 10 * 1024 * 1024

    page = client.post(
        "/admin/tickets/inboundemail/",
        {"action": "retry", "_selected_action": [failed.pk]},
        follow=True,
    )

    assert "1 ingested, 0 still failed." in page.content.decode()
    failed.refresh_from_db()
    assert failed.status == InboundStatus.PROCESSED
    assert failed.ticket.subject == "My kettle stopped working"
    assert InboundEmail.objects.count() == 1


def test_agents_do_not_see_the_inbound_emails(ingest, client):
    ingest("garbage.eml")
    agent = create_staff_member(
        username="al", email="al@helpdesk.example", password="pw-123-long!", role=Role.AGENT
    )
    client.force_login(agent.user)

    assert client.get("/admin/tickets/inboundemail/").status_code == 403
    assert client.get("/admin/tickets/ticket/").status_code == 200
