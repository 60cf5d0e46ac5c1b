"""The phone channel's cases: voicemails and callback requests due by `phone.first_response`,
the callbacks due in order, the call back that stops the clock (met or breached), and the
timeline."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models.sla import ClockOutcome, ClockState
from tickets.models import CallbackRequest, Status, Ticket, Voicemail
from tickets.selectors import callbacks_due, ticket_timeline
from tickets.services import add_internal_note, change_status
from tickets.services.phone import (
    complete_callback,
    record_voicemail,
    request_callback,
    return_voicemail,
)

from .conftest import MONDAY_10AM
from .factories import MessageFactory
from .phone_support import NUMBER, call, clock

pytestmark = pytest.mark.django_db


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
