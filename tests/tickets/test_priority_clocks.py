"""A ticket's priority sets its targets (POLICY.md, "Targets by priority"): an urgent ticket
opens with the urgent durations, and a change of priority moves the running targets' due
times, on the ticket's timeline. Monday 2 March 2026, 10:00 London (GMT)."""

from datetime import timedelta

import pytest

from helpdesk.models.sla import ClockOutcome
from tests.helpdesk.factories import CustomerFactory
from tests.helpdesk.sla_support import publish_variant
from tickets.models import TicketEventKind
from tickets.selectors import ticket_clocks
from tickets.services import change_status, open_ticket, set_priority

URGENT = {
    "[channels.phone]\n": '[channels.email.priority.urgent]\nfirst_response = "1h"\n'
    'resolution = "1d"\n\n[channels.phone]\n'
}


@pytest.fixture
def urgent_policy(db, now):
    return publish_variant(version="1.1", effective="2026-02-01", replace=URGENT)


def _due(ticket, target):
    return ticket_clocks(ticket=ticket).get(target=target).due_at


def test_an_urgent_ticket_opens_with_the_urgent_targets(urgent_policy, now):
    ticket = open_ticket(
        customer=CustomerFactory(), subject="Down", channel="email", priority="urgent"
    )

    assert _due(ticket, "email.first_response") == now + timedelta(hours=1)
    assert _due(ticket, "email.resolution") == now + timedelta(days=1)


def test_raising_the_priority_moves_the_due_times_and_says_so(urgent_policy, now, time_machine):
    ticket = open_ticket(customer=CustomerFactory(), subject="Slow", channel="email")
    assert _due(ticket, "email.first_response") == now + timedelta(hours=8)
    time_machine.move_to(now + timedelta(minutes=20), tick=False)

    set_priority(ticket=ticket, priority="urgent")

    assert _due(ticket, "email.first_response") == now + timedelta(hours=1)  # from the start
    event = ticket.events.get(kind=TicketEventKind.PRIORITY)
    assert "email.first_response due 02 Mar 2026 11:00 GMT (was 02 Mar 2026 18:00 GMT)" in (
        event.note
    )


def test_a_met_target_stays_met(urgent_policy, now, time_machine):
    ticket = open_ticket(customer=CustomerFactory(), subject="Done", channel="email")
    change_status(ticket=ticket, status="resolved", at=now + timedelta(minutes=5))
    time_machine.move_to(now + timedelta(hours=2), tick=False)

    set_priority(ticket=ticket, priority="urgent")

    clock = ticket_clocks(ticket=ticket).get(target="email.first_response")
    assert (clock.outcome, clock.due_at) == (ClockOutcome.MET, now + timedelta(hours=8))
    assert ticket.events.get(kind=TicketEventKind.PRIORITY).note == ""
