"""The acknowledgement rule of the policy (POLICY.md, "Format version 2", "Acknowledgement") on
the email and phone channels: within D, an agent's reply meets it; else the automatic
acknowledgement goes at D and meets it; "0s" at once; left out, none and no clock (issue #12,
item 3)."""

from datetime import timedelta

import pytest

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import check_clock, sweep_clocks
from tests.helpdesk.factories import CustomerFactory, UserFactory
from tests.helpdesk.sla_support import publish_variant
from tickets.models import AutoMessage, Message
from tickets.services import acknowledge_new_ticket, open_ticket, send_reply
from tickets.services.phone import record_voicemail, request_callback

from .phone_support import NUMBER, call

pytestmark = pytest.mark.django_db

EMAIL_AT_ONCE = 'acknowledge = "0s"             # automatic acknowledgement, sent at once\n'


def variant(**replace: str):
    return publish_variant(version="ack", effective="2026-02-01", replace=replace)


@pytest.fixture
def four_hours(db, now):
    return variant(**{EMAIL_AT_ONCE: 'acknowledge = "4h"\n'})


@pytest.fixture
def phone_one_hour(db, now):
    return variant(**{"[channels.phone]\n": '[channels.phone]\nacknowledge = "1h"\n'})


def acknowledgements(ticket) -> list[Message]:
    return list(Message.objects.filter(ticket=ticket, automatic=AutoMessage.ACKNOWLEDGEMENT))


def ack_clock(ticket, section="email") -> Clock:
    return Clock.objects.get(
        case_id=ticket.pk, case_type__model="ticket", target=f"{section}.acknowledge"
    )


def test_with_four_hours_the_acknowledgement_waits_and_goes_at_the_fourth_hour(
    four_hours, ingest, now
):
    ticket = ingest("plain.eml").ticket
    clock = ack_clock(ticket)
    assert acknowledgements(ticket) == []  # not at once
    assert (clock.state, clock.due_at) == (ClockState.RUNNING, now + timedelta(hours=4))

    check_clock(clock_id=clock.pk, now=clock.due_at)
    sweep_clocks(now=clock.due_at + timedelta(seconds=5))  # the sweep backs the task up
    check_clock(clock_id=clock.pk, now=clock.due_at + timedelta(minutes=1))

    (ack,) = acknowledgements(ticket)  # once, however often it is checked
    assert ack.to == "ann.lee@example.org"
    assert ack.in_reply_to == "<CAF1234.kettle@mail.example.org>"
    clock.refresh_from_db()
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert not Clock.objects.filter(outcome=ClockOutcome.BREACHED).exists()


def test_an_agent_s_reply_within_the_four_hours_meets_it_and_no_automatic_one_goes(
    four_hours, ingest, now, time_machine
):
    ticket = ingest("plain.eml").ticket
    time_machine.move_to(now + timedelta(hours=1), tick=False)
    send_reply(ticket=ticket, author=UserFactory(), text="We are on it.")

    clock = ack_clock(ticket)
    assert (clock.outcome, clock.stopped_at) == (ClockOutcome.MET, now + timedelta(hours=1))
    sweep_clocks(now=now + timedelta(hours=5))
    assert acknowledgements(ticket) == []


def test_left_out_no_acknowledgement_and_no_clock(db, now, ingest):
    variant(**{EMAIL_AT_ONCE: ""})

    ticket = ingest("plain.eml").ticket

    assert acknowledgements(ticket) == []
    assert not Clock.objects.filter(target="email.acknowledge").exists()


def test_at_once_is_today_s_behaviour(policy, ingest):
    ticket = ingest("plain.eml").ticket
    assert len(acknowledgements(ticket)) == 1
    assert ack_clock(ticket).outcome == ClockOutcome.MET


def test_a_phone_case_is_acknowledged_by_email_to_a_caller_whose_address_is_known(
    phone_one_hour, now
):
    CustomerFactory(name="Ann Lee", email="ann@example.org", phone=NUMBER)
    ticket = request_callback(number=NUMBER).ticket
    clock = ack_clock(ticket, "phone")
    assert acknowledgements(ticket) == [] and clock.due_at == now + timedelta(hours=1)

    sweep_clocks(now=clock.due_at)

    (ack,) = acknowledgements(ticket)
    assert ack.to == "ann@example.org" and "call you back within 2 working hours" in ack.text
    clock.refresh_from_db()
    assert clock.outcome == ClockOutcome.MET


def test_a_call_back_within_the_hour_meets_the_phone_acknowledgement(
    phone_one_hour, agent, now, time_machine
):
    CustomerFactory(email="ann@example.org", phone=NUMBER)
    ticket = record_voicemail(number=NUMBER, received_at=now, duration=30).ticket
    time_machine.move_to(now + timedelta(minutes=20), tick=False)

    call(agent, ticket=ticket, direction="outbound", started_at=now + timedelta(minutes=20))

    assert ack_clock(ticket, "phone").outcome == ClockOutcome.MET
    sweep_clocks(now=now + timedelta(hours=2))
    assert acknowledgements(ticket) == []


def test_no_address_no_phone_acknowledgement_clock(phone_one_hour, agent, now):
    voicemail = record_voicemail(number=NUMBER, received_at=now, duration=30)
    logged = call(agent, number="07700900999")  # a call an agent took: the customer heard us

    for ticket in (voicemail.ticket, logged.ticket):
        assert not Clock.objects.filter(case_id=ticket.pk, target="phone.acknowledge").exists()


def test_at_once_a_voicemail_is_acknowledged_by_email_with_its_opening(db, now):
    variant(**{"[channels.phone]\n": '[channels.phone]\nacknowledge = "0s"\n'})
    CustomerFactory(name="Ann Lee", email="ann@example.org", phone=NUMBER)

    ticket = record_voicemail(number=NUMBER, received_at=now, duration=30).ticket
    record_voicemail(number=NUMBER, received_at=now, duration=20)  # joins it: no second one

    (ack,) = acknowledgements(ticket)
    assert ack.to == "ann@example.org" and ack.created_at == now
    assert ack_clock(ticket, "phone").outcome == ClockOutcome.MET


def test_a_priority_s_own_acknowledgement_time_is_kept(db, now):
    urgent_in_an_hour = '[channels.email.priority.urgent]\nacknowledge = "1h"\n\n'
    variant(**{"[channels.phone]\n": urgent_in_an_hour + "[channels.phone]\n"})
    customer = CustomerFactory(email="ann@example.org")
    normal = open_ticket(customer=customer, subject="a", channel="email", acknowledged=True)
    urgent = open_ticket(
        customer=customer, subject="b", channel="email", priority="urgent", acknowledged=True
    )

    assert acknowledge_new_ticket(ticket=normal, at=now) is not None  # "0s": at once
    assert acknowledge_new_ticket(ticket=urgent, at=now) is None  # "1h": at the hour
    assert ack_clock(urgent).due_at == now + timedelta(hours=1)
