"""Hand-offs from a chat: a message left, a callback asked for, a chat converted to a ticket.

Each becomes a case of the channel it continues on, running that channel's targets and
acknowledged as that channel acknowledges; the chat's own clocks end honestly (issue #12,
items 1 and 2)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from chat import services
from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import sweep_clocks
from tickets.models import AutoMessage, CallbackRequest, Direction, Message
from tickets.selectors import callbacks_due

pytestmark = pytest.mark.django_db


def clocks(case) -> dict[str, Clock]:
    model = case._meta.model_name
    return {c.target: c for c in Clock.objects.filter(case_id=case.pk, case_type__model=model)}


def acknowledgements(ticket):
    return Message.objects.filter(ticket=ticket, automatic=AutoMessage.ACKNOWLEDGEMENT)


def test_a_message_left_from_the_queue_is_acknowledged_by_email_and_never_breaches(chat):
    ticket = services.leave_message(session_id=chat.pk, text="Where is my order 1234?")

    # The customer's own words are their message on the ticket, not a note for staff.
    customers = ticket.messages.filter(direction=Direction.INBOUND)
    assert [(m.from_address, m.text) for m in customers] == [
        ("ann@example.org", "Where is my order 1234?")
    ]
    assert not ticket.messages.filter(direction=Direction.INTERNAL).exists()
    # Acknowledged as email acknowledges ("0s": at once), by email to the address given.
    (ack,) = acknowledgements(ticket)
    assert ack.to == "ann@example.org" and ticket.reference in ack.text
    running = clocks(ticket)
    assert running["email.acknowledge"].outcome == ClockOutcome.MET
    assert set(running) == {"email.acknowledge", "email.first_response", "email.resolution"}

    sweep_clocks(now=timezone.now() + timedelta(minutes=5))

    assert not Clock.objects.filter(outcome=ClockOutcome.BREACHED).exists()
    # The chat ends honestly: nobody answered, so its clocks are cancelled, never met.
    for clock in clocks(chat).values():
        assert (clock.outcome, clock.cancel_reason) == (ClockOutcome.CANCELLED, "left a message")


def test_a_message_left_outside_service_hours_is_acknowledged_too(policy):
    ticket = services.leave_message(name="Bo", email="bo@example.org", text="Please email me")

    assert ticket.messages.get(direction=Direction.INBOUND).text.endswith("Please email me")
    assert acknowledgements(ticket).get().to == "bo@example.org"
    assert clocks(ticket)["email.acknowledge"].outcome == ClockOutcome.MET


def test_a_callback_asked_for_in_the_chat_is_a_phone_callback_on_the_callbacks_due_page(chat):
    before = timezone.now()
    ticket = services.leave_message(
        session_id=chat.pk, text="After 3pm please", callback_phone="0207946000"
    )

    assert ticket.channel == "phone"
    callback = CallbackRequest.objects.get(ticket=ticket)
    assert (callback.number, callback.note) == ("0207946000", "After 3pm please")
    assert [entry.item for entry in callbacks_due()] == [callback]
    running = clocks(ticket)
    assert set(running) == {"phone.first_response", "phone.resolution"}  # never email's
    first = running["phone.first_response"]
    assert before + timedelta(hours=2) <= first.due_at <= timezone.now() + timedelta(hours=2)
    # Nothing given in the chat is written on the customer's record.
    ticket.customer.refresh_from_db()
    assert ticket.customer.phone == ""
    chat.refresh_from_db()
    assert chat.ticket == ticket and chat.phone_given == "0207946000"

    sweep_clocks(now=timezone.now() + timedelta(minutes=5))
    assert not Clock.objects.filter(outcome=ClockOutcome.BREACHED).exists()


def test_a_converted_chat_runs_email_s_targets_and_is_acknowledged_by_email(chat, agent):
    services.accept_chat(session_id=chat.pk, agent=agent)
    services.agent_says(session_id=chat.pk, agent=agent, text="Let me check that.")

    ticket = services.convert_to_ticket(session_id=chat.pk, by=agent, subject="Late order")

    (ack,) = acknowledgements(ticket)
    assert ack.to == "ann@example.org"
    running = clocks(ticket)
    assert running["email.acknowledge"].outcome == ClockOutcome.MET
    assert running["email.first_response"].state == ClockState.RUNNING
    sweep_clocks(now=timezone.now() + timedelta(minutes=5))
    assert not Clock.objects.filter(outcome=ClockOutcome.BREACHED).exists()


def test_a_message_with_no_address_to_answer_is_refused_with_a_clear_error(policy, team):
    anonymous = services.start_chat(name="Cy", email="", team=team)

    with pytest.raises(ValidationError) as refused:
        services.leave_message(session_id=anonymous.pk, text="Help")

    assert "phone number" in str(refused.value.message_dict["email"])
    anonymous.refresh_from_db()
    assert anonymous.status == "waiting"  # nothing changed: the customer can give a number
