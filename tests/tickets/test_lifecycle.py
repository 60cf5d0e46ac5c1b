"""A ticket's life: status, assignee and priority changes on the timeline, and its clocks."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import check_clock
from tests.helpdesk.factories import CustomerFactory, UserFactory
from tickets.models import Priority, Status, TicketEventKind
from tickets.selectors import ticket_clocks
from tickets.services import assign_ticket, change_status, open_ticket, set_priority

from .factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(username="maya")


@pytest.fixture
def ticket(policy):
    return open_ticket(customer=CustomerFactory(), subject="Broken lid", channel="email")


def states(ticket) -> dict[str, str]:
    return {c.target: c.state for c in ticket_clocks(ticket=ticket)}


def test_opening_a_phone_ticket_runs_the_phone_targets(policy):
    ticket = open_ticket(customer=CustomerFactory(), subject="Voicemail", channel="phone")

    assert set(states(ticket)) == {"phone.first_response", "phone.resolution"}
    assert ticket.customer.interactions.get().kind == "ticket opened"


def test_numbers_follow_each_other_and_show_as_references(policy):
    first, second = TicketFactory(), TicketFactory()

    assert second.number == first.number + 1
    assert first.reference == f"#{first.number}"


def test_a_status_change_is_an_event_with_who_and_when(ticket, agent, now):
    ticket = change_status(ticket=ticket, status=Status.OPEN, actor=agent)

    event = ticket.events.get()
    assert (event.kind, event.old, event.new, event.actor, event.created_at) == (
        TicketEventKind.STATUS, "new", "open", agent, now
    )  # fmt: skip
    change_status(ticket=ticket, status=Status.OPEN, actor=agent)
    assert ticket.events.count() == 1  # the same status again is no change


def test_pending_customer_pauses_and_leaving_it_resumes(ticket, agent):
    change_status(ticket=ticket, status=Status.PENDING_CUSTOMER, actor=agent)
    assert states(ticket) == {
        "email.acknowledge": ClockState.PAUSED,
        "email.first_response": ClockState.PAUSED,
        "email.resolution": ClockState.PAUSED,
    }

    change_status(ticket=ticket, status=Status.ON_HOLD, actor=agent)
    assert set(states(ticket).values()) == {ClockState.RUNNING}


def test_resolving_stops_every_clock(ticket, agent):
    change_status(ticket=ticket, status=Status.RESOLVED, actor=agent)

    clocks = list(ticket_clocks(ticket=ticket))
    assert {c.state for c in clocks} == {ClockState.STOPPED}
    assert {c.outcome for c in clocks} == {ClockOutcome.MET}


def test_an_unknown_status_is_refused(ticket):
    with pytest.raises(ValidationError):
        change_status(ticket=ticket, status="lost")


def test_assigning_makes_the_agent_answerable_for_the_clocks(ticket, agent):
    ticket = assign_ticket(ticket=ticket, assignee=agent, actor=agent)

    assert ticket.assignee == agent
    event = ticket.events.get()
    assert (event.kind, event.old, event.new) == (TicketEventKind.ASSIGNEE, "", "maya")
    assert {c.assignee for c in ticket_clocks(ticket=ticket)} == {agent}
    assign_ticket(ticket=ticket, assignee=None, actor=agent)
    assert ticket.events.last().old == "maya"


def test_priority_changes_are_events(ticket, agent):
    ticket = set_priority(ticket=ticket, priority=Priority.URGENT, actor=agent)

    assert ticket.priority == Priority.URGENT
    event = ticket.events.get()
    assert (event.kind, event.old, event.new) == ("priority", "normal", "urgent")
    assert event.actor == agent
    with pytest.raises(ValidationError):
        set_priority(ticket=ticket, priority="whenever", actor=agent)


def test_a_missed_target_is_an_escalation_on_the_timeline(
    ticket, time_machine, celery_eager, django_capture_on_commit_callbacks
):
    clock = ticket_clocks(ticket=ticket).get(target="email.first_response")
    time_machine.move_to(clock.due_at + timedelta(minutes=1), tick=False)

    with django_capture_on_commit_callbacks(execute=True):
        check_clock(clock_id=clock.pk)

    event = ticket.events.get(kind=TicketEventKind.ESCALATION)
    assert event.new == "email.first_response"
    assert event.note == "First response (email) was due 02 Mar 2026 18:00 GMT and was missed."
    assert event.new_label == "First response (email)"  # what the timeline prints
