"""Cancelled clocks: a target that stopped applying is neither met nor breached."""

import pytest

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import cancel_clocks_for, start_clock, stop_clocks_for
from tests.helpdesk.sla_support import at, eager_celery, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


def test_a_cancelled_clock_is_not_met_and_says_why():
    case = make_case()
    start_clock(case=case, target="chat.first_response", started_at=at(10))

    (clock,) = cancel_clocks_for(case=case, reason="left a message", at=at(10, 0, 30))

    clock.refresh_from_db()
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.CANCELLED)
    assert clock.cancel_reason == "left a message"
    assert clock.stopped_at == at(10, 0, 30)


def test_a_clock_already_past_due_stays_breached_when_cancelled():
    case = make_case()
    start_clock(case=case, target="chat.first_response", started_at=at(10))  # due 10:01

    (clock,) = cancel_clocks_for(case=case, reason="customer left", at=at(10, 5))

    clock.refresh_from_db()
    assert clock.outcome == ClockOutcome.BREACHED and clock.breached_at == at(10, 1)
    assert clock.cancel_reason == "customer left"  # ended unanswered, not answered late


def test_cancel_leaves_stopped_clocks_and_other_targets_alone():
    case = make_case()
    start_clock(case=case, target="email.acknowledge", started_at=at(9))
    start_clock(case=case, target="email.first_response", started_at=at(9))
    stop_clocks_for(case=case, targets=["email.acknowledge"], at=at(9))

    cancelled = cancel_clocks_for(
        case=case, reason="merged", targets=["email.first_response"], at=at(9, 10)
    )

    assert [c.target for c in cancelled] == ["email.first_response"]
    outcomes = dict(Clock.objects.values_list("target", "outcome"))
    assert outcomes == {"email.acknowledge": "met", "email.first_response": "cancelled"}
    assert cancel_clocks_for(case=case, reason="again", at=at(9, 20)) == []


def test_a_cancellation_needs_a_reason():
    case = make_case()
    start_clock(case=case, target="chat.first_response", started_at=at(10))
    with pytest.raises(ValueError):
        cancel_clocks_for(case=case, reason="  ", at=at(10))
    assert Clock.objects.get().state == ClockState.RUNNING
