"""A reopened ticket runs its targets again: the customer who writes back after a resolution is
owed an answer (first_response) and a resolution again, from the moment they wrote, while the
clocks the ticket ran before stay as they ended, for the reports."""

from datetime import datetime, timedelta

import pytest

from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.selectors.reports import first_response_times, sla_compliance
from helpdesk.services.policy import service_policy_for
from helpdesk.services.sla import restart_clocks_for, sweep_clocks
from tests.helpdesk.factories import UserFactory
from tickets.models import AutoMessage, Status, Ticket
from tickets.queues import by_next_due
from tickets.selectors import ticket_clocks
from tickets.services import change_status, resolve_ticket, send_reply

from .conftest import LONDON, MONDAY_10AM

pytestmark = pytest.mark.django_db

TUESDAY_9AM = datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)


@pytest.fixture
def agent():
    return UserFactory(username="maya", is_staff=True)


@pytest.fixture
def resolved(ingest, agent, time_machine):
    """Ann's email on Monday at 10:00, answered at 10:30 and resolved at 11:00."""
    ticket = ingest("plain.eml").ticket
    time_machine.move_to(MONDAY_10AM + timedelta(minutes=30), tick=False)
    send_reply(ticket=ticket, author=agent, text="Try the reset button.")
    time_machine.move_to(MONDAY_10AM + timedelta(hours=1), tick=False)
    return resolve_ticket(ticket=ticket, actor=agent, summary="Reset fixed it.")


def rounds(ticket: Ticket) -> list[tuple[str, int, str, str]]:
    return [
        (c.target, c.round, c.state, c.outcome)
        for c in ticket_clocks(ticket=ticket).order_by("target", "round")
    ]


def customer_writes_back(ingest, ticket: Ticket, time_machine, at: datetime):
    time_machine.move_to(at, tick=False)
    ack = ticket.messages.get(automatic=AutoMessage.ACKNOWLEDGEMENT)
    return ingest("reply_references.eml", parent=ack.message_id)


def test_a_reply_to_a_resolved_ticket_runs_first_response_and_resolution_again(
    resolved, ingest, time_machine, policy
):
    result = customer_writes_back(ingest, resolved, time_machine, TUESDAY_9AM)

    assert result.ticket == resolved
    resolved.refresh_from_db()
    assert resolved.status == Status.OPEN
    assert rounds(resolved) == [
        ("email.acknowledge", 1, "stopped", "met"),  # owed to a new case only
        ("email.first_response", 1, "stopped", "met"),
        ("email.first_response", 2, "running", "pending"),
        ("email.resolution", 1, "stopped", "met"),
        ("email.resolution", 2, "running", "pending"),
    ]
    again = {c.target: c for c in ticket_clocks(ticket=resolved) if c.round == 2}
    first = again["email.first_response"]
    assert first.started_at == TUESDAY_9AM
    assert first.due_at == TUESDAY_9AM + timedelta(hours=8)  # 8 service hours from the reply
    assert first.policy_version == resolved.policy_version
    resolution = service_policy_for(policy).deadline("email.resolution", TUESDAY_9AM)
    assert again["email.resolution"].due_at == resolution
    # The desk sorts the ticket by its new deadline.
    listed = by_next_due(Ticket.objects.filter(pk=resolved.pk)).get()
    assert (listed.next_due, listed.next_target) == (first.due_at, "email.first_response")


def test_the_answer_to_the_reopened_ticket_meets_the_new_round(
    resolved, ingest, agent, time_machine
):
    customer_writes_back(ingest, resolved, time_machine, TUESDAY_9AM)
    time_machine.move_to(TUESDAY_9AM + timedelta(hours=1), tick=False)

    send_reply(ticket=resolved, author=agent, text="Sending a new one.")

    first_responses = [r for r in rounds(resolved) if r[0] == "email.first_response"]
    assert first_responses == [
        ("email.first_response", 1, "stopped", "met"),
        ("email.first_response", 2, "stopped", "met"),
    ]


def test_the_report_counts_both_rounds(resolved, ingest, agent, time_machine):
    customer_writes_back(ingest, resolved, time_machine, TUESDAY_9AM)
    time_machine.move_to(TUESDAY_9AM + timedelta(hours=2), tick=False)
    send_reply(ticket=resolved, author=agent, text="Sending a new one.")

    report = {
        row.target: (row.met, row.breached, row.running)
        for row in sla_compliance(start=MONDAY_10AM, end=TUESDAY_9AM + timedelta(days=1))
    }
    assert report["email.first_response"] == (2, 0, 0)
    assert report["email.resolution"] == (1, 0, 1)
    assert report["email.acknowledge"] == (1, 0, 0)
    (email,) = first_response_times(start=MONDAY_10AM, end=TUESDAY_9AM + timedelta(days=1))
    assert email.count == 2  # 30 minutes, then 2 hours
    assert email.median_seconds == (30 * 60 + 2 * 3600) / 2


def test_the_sweep_breaches_the_new_round(resolved, ingest, time_machine):
    customer_writes_back(ingest, resolved, time_machine, TUESDAY_9AM)
    late = TUESDAY_9AM + timedelta(hours=8, seconds=1)
    time_machine.move_to(late, tick=False)

    report = sweep_clocks(now=late)

    assert report.breached == 1
    first_responses = [r for r in rounds(resolved) if r[0] == "email.first_response"]
    assert first_responses == [
        ("email.first_response", 1, "stopped", "met"),  # the first round stays met
        ("email.first_response", 2, "running", "breached"),
    ]


def test_each_reopening_is_a_round_and_an_open_round_is_never_started_twice(
    resolved, ingest, agent, time_machine
):
    customer_writes_back(ingest, resolved, time_machine, TUESDAY_9AM)
    # Writing again while it is open starts nothing.
    customer_writes_back(ingest, resolved, time_machine, TUESDAY_9AM + timedelta(minutes=5))
    assert restart_clocks_for(case=resolved, targets=["email.first_response"])[0].round == 2
    resolve_ticket(ticket=resolved, actor=agent, summary="Replaced.")
    wednesday = TUESDAY_9AM + timedelta(days=1)
    time_machine.move_to(wednesday, tick=False)

    change_status(ticket=resolved, status=Status.OPEN, actor=agent)  # an agent reopens it

    running = [(c.target, c.round, c.started_at) for c in ticket_clocks(ticket=resolved)
               if c.state == ClockState.RUNNING]  # fmt: skip
    assert sorted(running) == [
        ("email.first_response", 3, wednesday),
        ("email.resolution", 3, wednesday),
    ]
    assert ticket_clocks(ticket=resolved).filter(outcome=ClockOutcome.MET).count() == 5


def test_reopened_straight_to_pending_customer_the_new_round_waits(resolved, agent, time_machine):
    time_machine.move_to(TUESDAY_9AM, tick=False)

    change_status(ticket=resolved, status=Status.PENDING_CUSTOMER, actor=agent)

    latest = {c.target: c for c in ticket_clocks(ticket=resolved) if c.round == 2}
    assert {c.state for c in latest.values()} == {ClockState.PAUSED}
    assert set(latest) == {"email.first_response", "email.resolution"}
