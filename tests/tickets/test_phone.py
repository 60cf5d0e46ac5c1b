"""The phone channel's rules: the customer found by number, calls on new and existing tickets,
voicemails and callback requests as cases due by `phone.first_response`, the callbacks due in
order, and the call back that stops the clock (met or breached)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models import Customer, Role
from helpdesk.models.people import Channel
from helpdesk.models.sla import ClockOutcome, ClockState
from tests.helpdesk.factories import AgentFactory, CustomerFactory, TeamFactory, UserFactory
from tickets.models import Call, CallbackRequest, Status, Ticket, Voicemail
from tickets.selectors import callbacks_due, customer_by_number, ticket_clocks, ticket_timeline
from tickets.services import add_internal_note, change_status, open_ticket
from tickets.services.phone import (
    complete_callback,
    log_call,
    record_voicemail,
    request_callback,
    return_voicemail,
)

from .conftest import MONDAY_10AM
from .factories import MessageFactory

pytestmark = pytest.mark.django_db

NUMBER = "07700900123"


@pytest.fixture
def team():
    return TeamFactory(name="Phones")


@pytest.fixture
def agent(team):
    return AgentFactory(role=Role.AGENT, team=team, user=UserFactory(username="maya")).user


def clock(ticket, target="phone.first_response"):
    return ticket_clocks(ticket=ticket).get(target=target)


def call(agent, **overrides):
    values = {
        "agent": agent,
        "number": NUMBER,
        "direction": "inbound",
        "started_at": MONDAY_10AM,
        "duration": 150,
        "outcome": "answered",
    }
    return log_call(**{**values, **overrides})


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


# -- voicemails and callback requests: cases due by phone.first_response ------------------------


def test_a_voicemail_opens_a_phone_ticket_due_by_the_policys_first_response(policy, now):
    voicemail = record_voicemail(
        number=NUMBER, received_at=now, duration=42, transcript="Please ring me about my order."
    )
    ticket = voicemail.ticket

    assert (ticket.channel, ticket.status, ticket.subject) == (
        "phone", Status.NEW, f"Voicemail from {NUMBER}"
    )  # fmt: skip
    assert clock(ticket).due_at == now + timedelta(hours=2)  # first_response = "2h"
    assert clock(ticket, "phone.resolution").state == ClockState.RUNNING
    assert ticket.customer.interactions.filter(kind="voicemail left").exists()


def test_a_late_voicemail_is_due_in_service_hours_the_next_morning(policy, time_machine):
    late = MONDAY_10AM.replace(hour=21, minute=30)  # half an hour before closing (22:00)
    time_machine.move_to(late, tick=False)

    voicemail = record_voicemail(number=NUMBER, received_at=late, duration=10)

    # 30 minutes on Monday, then 1h30 from Tuesday's opening at 08:00.
    assert clock(voicemail.ticket).due_at == MONDAY_10AM.replace(day=3, hour=9, minute=30)


def test_a_second_voicemail_joins_the_ticket_still_waiting_for_its_call_back(
    policy, agent, time_machine, now
):
    first = record_voicemail(number=NUMBER, received_at=now, duration=10)
    time_machine.shift(timedelta(minutes=20))
    second = record_voicemail(
        number="07700 900 123", received_at=now + timedelta(minutes=20), duration=5
    )
    callback = request_callback(number=NUMBER)

    assert second.ticket == first.ticket == callback.ticket
    assert clock(first.ticket).due_at == now + timedelta(hours=2)  # the promise is not restarted

    return_voicemail(voicemail=first, agent=agent, outcome="answered")
    time_machine.shift(timedelta(minutes=5))
    third = record_voicemail(number=NUMBER, received_at=now + timedelta(minutes=25), duration=5)
    assert third.ticket != first.ticket  # the first case was answered: a new promise


def test_a_recording_is_kept_unless_it_is_too_large(policy, now, settings, media_root):
    settings.TICKETS_MAX_RECORDING_BYTES = 10
    small = record_voicemail(
        number=NUMBER, received_at=now, duration=3, recording=ContentFile(b"RIFF", name="vm.wav")
    )
    large = record_voicemail(
        number="07700900999",
        received_at=now,
        duration=3,
        recording=ContentFile(b"x" * 11, name="big.wav"),
    )

    with small.recording.open("rb") as kept:
        assert kept.read() == b"RIFF"
    assert (bool(large.recording), "was not kept" in large.notes) == (False, True)


def test_a_callback_clock_starts_at_the_request_even_with_a_later_preferred_time(policy, now):
    preferred = now + timedelta(hours=5)

    callback = request_callback(
        number=NUMBER, name="Ann Lee", preferred_time=preferred, note="After school run"
    )

    assert (callback.requested_at, callback.preferred_time) == (now, preferred)
    assert clock(callback.ticket).due_at == now + timedelta(hours=2)
    (entry,) = callbacks_due()
    assert (entry.preferred_time, entry.preferred_after_due) == (preferred, True)
    assert callback.ticket.customer.name == "Ann Lee"


@pytest.mark.parametrize(
    ("preferred", "message"),
    [
        (MONDAY_10AM - timedelta(hours=1), "has passed"),
        (MONDAY_10AM.replace(tzinfo=None) + timedelta(hours=1), "time zone"),
    ],
)
def test_a_preferred_time_must_be_aware_and_to_come(policy, now, preferred, message):
    with pytest.raises(ValidationError, match=message):
        request_callback(number=NUMBER, preferred_time=preferred)
    assert not Ticket.objects.exists()


# -- the callbacks due ----------------------------------------------------------------------------


def test_callbacks_due_come_soonest_due_first_and_leave_once_done(
    policy, agent, team, time_machine, now
):
    time_machine.move_to(now - timedelta(minutes=50), tick=False)
    oldest = request_callback(number="07700900001")
    time_machine.move_to(now - timedelta(minutes=30), tick=False)
    voicemail = record_voicemail(
        number="07700900002", received_at=now - timedelta(minutes=30), duration=9
    )
    time_machine.move_to(now - timedelta(minutes=10), tick=False)
    newest = request_callback(number="07700900003", team=team)
    time_machine.move_to(now, tick=False)
    resolved = request_callback(number="07700900004")
    change_status(ticket=resolved.ticket, status=Status.RESOLVED, actor=agent)

    due = callbacks_due()
    assert [e.item for e in due] == [oldest, voicemail, newest]
    assert [e.kind for e in due] == ["callback", "voicemail", "callback"]
    assert due[0].due_at == now + timedelta(minutes=70)
    assert due[0].clock.countdown == "1:10:00"
    assert [e.item for e in callbacks_due(team=team)] == [newest]

    complete_callback(callback=oldest, agent=agent, outcome="answered")
    assert [e.item for e in callbacks_due()] == [voicemail, newest]


def test_callbacks_due_costs_the_same_queries_however_many_there_are(policy, time_machine, now):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            due = callbacks_due()
            printed = [  # everything the desk prints
                (e.ticket.customer.name, e.ticket.assignee, e.ticket.team, e.due_at, e.since)
                for e in due
            ]
        assert len(printed) == len(due)
        return len(captured)

    request_callback(number="07700900100")
    record_voicemail(number="07700900200", received_at=now, duration=1)
    few = count()
    for n in range(10):
        request_callback(number=f"0770090{n:04d}")
        record_voicemail(number=f"0780090{n:04d}", received_at=now, duration=1)

    assert count() == few == 3


# -- the call back: the clock stops, met or breached ---------------------------------------------


def test_an_answered_call_back_in_time_meets_the_target(policy, agent, time_machine, now):
    callback = request_callback(number=NUMBER)
    voicemail = record_voicemail(number=NUMBER, received_at=now, duration=5)
    time_machine.shift(timedelta(minutes=45))

    done = complete_callback(callback=callback, agent=agent, outcome="answered", notes="Sorted")

    answered_at = now + timedelta(minutes=45)
    assert (done.done_at, done.done_by, done.call.outcome) == (answered_at, agent, "answered")
    first = clock(done.ticket)
    assert (first.state, first.outcome, first.stopped_at) == ("stopped", "met", answered_at)
    voicemail.refresh_from_db()
    assert (voicemail.returned_at, voicemail.return_call) == (answered_at, done.call)
    assert done.ticket.calls.get().direction == "outbound"


def test_a_call_back_after_the_due_time_is_a_breach(policy, agent, time_machine, now):
    voicemail = record_voicemail(number=NUMBER, received_at=now, duration=5)
    time_machine.shift(timedelta(hours=3))

    returned = return_voicemail(voicemail=voicemail, agent=agent, outcome="answered")

    first = clock(returned.ticket)
    assert (first.state, first.outcome) == (ClockState.STOPPED, ClockOutcome.BREACHED)
    assert returned.returned_at == now + timedelta(hours=3)


def test_an_unanswered_call_back_is_an_attempt_and_the_callback_stays_due(
    policy, agent, time_machine, now
):
    callback = request_callback(number=NUMBER)
    time_machine.shift(timedelta(minutes=10))

    after = complete_callback(callback=callback, agent=agent, outcome="no_answer", duration=40)

    assert after.done_at is None
    assert clock(after.ticket).state == ClockState.RUNNING
    assert after.ticket.calls.get().started_at == now + timedelta(minutes=10) - timedelta(
        seconds=40
    )
    assert [e.item for e in callbacks_due()] == [callback]
    complete_callback(callback=callback, agent=agent, outcome="answered")
    with pytest.raises(ValidationError, match="already done"):
        complete_callback(callback=callback, agent=agent, outcome="answered")
    assert CallbackRequest.objects.get().call.outcome == "answered"


def test_an_outbound_answered_call_logged_on_the_ticket_returns_its_voicemail(policy, agent, now):
    voicemail = record_voicemail(number=NUMBER, received_at=now, duration=5)

    call(agent, ticket=voicemail.ticket, direction="outbound")

    assert Voicemail.objects.get().returned_by == agent
    assert not callbacks_due()


# -- the timeline ---------------------------------------------------------------------------------


def test_the_timeline_has_every_kind_in_time_order(policy, agent, time_machine, now):
    voicemail = record_voicemail(number=NUMBER, received_at=now, duration=5)
    ticket = voicemail.ticket
    time_machine.shift(timedelta(minutes=1))
    MessageFactory(ticket=ticket, created_at=now + timedelta(minutes=1))
    time_machine.shift(timedelta(minutes=1))
    callback = request_callback(number=NUMBER)
    time_machine.shift(timedelta(minutes=1))
    note = add_internal_note(ticket=ticket, author=agent, text="Customer is vulnerable")
    time_machine.shift(timedelta(minutes=1))
    done = complete_callback(callback=callback, agent=agent, outcome="answered")

    kinds = [(e.kind, e.item) for e in ticket_timeline(ticket=ticket)]

    assert [k for k, _ in kinds] == ["voicemail", "message", "callback", "message", "call", "event"]
    assert kinds[0][1] == voicemail and kinds[3][1] == note and kinds[4][1] == done.call
    assert kinds[5][1].new == Status.OPEN  # the answered call opened the ticket


def test_the_timeline_costs_the_same_queries_however_long_it_is(policy, agent, time_machine, now):
    def count(ticket) -> int:
        with CaptureQueriesContext(connection) as captured:
            ticket_timeline(ticket=ticket)
        return len(captured)

    short = record_voicemail(number="07700900001", received_at=now, duration=5).ticket
    MessageFactory(ticket=short)
    call(agent, ticket=short, number="07700900001", direction="outbound")
    request_callback(number="07700900001")
    long = record_voicemail(number="07700900002", received_at=now, duration=5).ticket
    for n in range(8):
        MessageFactory(ticket=long)
        call(agent, ticket=long, number="07700900002", direction="outbound", outcome="busy")
        record_voicemail(number="07700900002", received_at=now, duration=n)
        request_callback(number="07700900002")

    assert count(long) == count(short)
