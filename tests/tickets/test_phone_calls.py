"""The phone channel's calls: the customer found by number, and calls on new and existing
tickets."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from helpdesk.models import Customer
from helpdesk.models.people import Channel
from helpdesk.models.sla import ClockOutcome, ClockState
from tests.helpdesk.factories import CustomerFactory
from tickets.models import Call, Status, Ticket
from tickets.selectors import customer_by_number, ticket_timeline
from tickets.services import change_status, open_ticket
from tickets.services.phone import (
    record_voicemail,
    request_callback,
)

from .conftest import MONDAY_10AM
from .phone_support import NUMBER, call, clock

pytestmark = pytest.mark.django_db


# -- who: the customer found by number ----------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["07700 900123", "07700-900-123", "(07700) 900.123", " 07700900123 "]
)
def test_the_customer_is_found_by_number_however_it_is_typed(policy, agent, typed):
    ann = CustomerFactory(name="Ann Lee", phone=NUMBER)

    assert call(agent, number=typed).customer == ann
    assert (
        record_voicemail(number=typed, received_at=MONDAY_10AM, duration=20).ticket.customer == ann
    )
    assert request_callback(number=typed).ticket.customer == ann
    assert customer_by_number(number=typed) == ann
    assert Customer.objects.count() == 1


def test_a_country_code_with_a_bracketed_trunk_zero_is_the_same_number(policy, agent):
    office = CustomerFactory(phone="+442079460000")

    assert call(agent, number="+44 (0)20 7946 0000").customer == office


def test_an_unknown_number_is_a_new_customer_named_as_told(policy, agent):
    logged = call(agent, number="07700 900999", customer_name="Bob Shaw")

    assert (logged.customer.name, logged.customer.phone) == ("Bob Shaw", "07700900999")
    assert customer_by_number(number="not a number") is None


# -- calls --------------------------------------------------------------------------------------


def test_an_answered_call_without_a_ticket_opens_a_phone_ticket_already_answered(
    policy, agent, team, now
):
    logged = call(agent, notes="Kettle lid broken; sending a new one.")
    ticket = logged.ticket

    assert (ticket.channel, ticket.status, ticket.assignee, ticket.team) == (
        "phone", Status.OPEN, agent, team
    )  # fmt: skip
    assert ticket.subject == f"Call from {NUMBER}"
    first = clock(ticket)
    assert (first.state, first.outcome, first.stopped_at) == ("stopped", "met", MONDAY_10AM)
    assert clock(ticket, "phone.resolution").state == ClockState.RUNNING
    assert (logged.direction, logged.duration, logged.agent) == ("inbound", 150, agent)


def test_a_call_lands_on_the_customers_history_and_the_timeline(policy, agent):
    logged = call(agent, direction="outbound", outcome="no_answer", duration=30, notes="Rang out")

    kinds = list(logged.customer.interactions.values_list("kind", "channel", "agent"))
    assert ("outbound call", Channel.PHONE, agent.pk) in kinds
    assert logged.customer.interactions.get(kind="outbound call").summary == (
        "No answer, 0:30: Rang out"
    )
    assert [e.item for e in ticket_timeline(ticket=logged.ticket) if e.kind == "call"] == [logged]


def test_a_call_on_an_existing_email_ticket_is_logged_but_meets_no_email_target(policy, agent):
    customer = CustomerFactory(phone="")
    ticket = open_ticket(customer=customer, subject="Refund", channel="email")

    logged = call(agent, ticket=ticket, number="07700 900 555", direction="outbound")

    assert (logged.ticket, logged.customer) == (ticket, customer)
    assert clock(ticket, "email.first_response").state == ClockState.RUNNING
    customer.refresh_from_db()
    assert customer.phone == "07700900555"  # filled in, as it was missing
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_an_inbound_call_brings_a_ticket_back_from_pending_customer(
    policy, agent, time_machine, now
):
    ticket = call(agent, outcome="no_answer", direction="outbound").ticket
    change_status(ticket=ticket, status=Status.PENDING_CUSTOMER, actor=agent)

    time_machine.shift(timedelta(minutes=5))
    call(agent, ticket=ticket, started_at=now + timedelta(minutes=5))

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert clock(ticket, "phone.resolution").state == ClockState.RUNNING


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"number": "call me"}, "number"),
        ({"number": ""}, "number"),
        ({"direction": "sideways"}, "direction"),
        ({"outcome": "maybe"}, "outcome"),
        ({"duration": -5}, "duration"),
        ({"duration": 90_000}, "duration"),
        ({"started_at": MONDAY_10AM + timedelta(hours=1)}, "started_at"),
        ({"started_at": MONDAY_10AM.replace(tzinfo=None)}, "started_at"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_saves_nothing(policy, agent, now, overrides, field):
    with pytest.raises(ValidationError) as refused:
        call(agent, **overrides)

    assert field in refused.value.message_dict
    assert (Call.objects.count(), Ticket.objects.count(), Customer.objects.count()) == (0, 0, 0)


def test_a_call_started_before_its_ticket_was_opened_counts_from_the_opening(policy, agent, now):
    ticket = open_ticket(customer=CustomerFactory(), subject="Opened mid-call", channel="phone")

    logged = call(agent, ticket=ticket, started_at=now - timedelta(minutes=3))

    assert logged.started_at == now - timedelta(minutes=3)
    assert (clock(ticket).outcome, clock(ticket).stopped_at) == (ClockOutcome.MET, now)
