"""Targets by priority: a clock starts with its case's priority's duration, and a change of
priority while it runs computes its due time again from its start (POLICY.md, "Targets by
priority"). Times: Wednesday 4 March 2026, London = UTC, service hours 08:00-22:00."""

from datetime import timedelta

import pytest

from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import (
    pause_clock,
    resume_clock,
    retarget_clocks_for,
    start_clock,
    stop_clock,
    sweep_clocks,
)
from tests.helpdesk.sla_support import at, eager_celery, make_case, publish_variant
from tests.tickets.factories import TicketFactory

pytestmark = pytest.mark.django_db

URGENT_AND_LOW = {
    "[channels.phone]\n": '[channels.email.priority.urgent]\nfirst_response = "1h"\n\n'
    '[channels.email.priority.low]\nfirst_response = "16h"\n\n[channels.phone]\n'
}


@pytest.fixture(autouse=True)
def _policy():
    with eager_celery():
        publish_variant(version="1.1", effective="2026-02-01", replace=URGENT_AND_LOW)
        yield


def test_a_clock_starts_with_the_duration_of_its_case_priority():
    urgent = TicketFactory(priority="urgent")
    normal = TicketFactory(priority="normal")

    fast = start_clock(case=urgent, target="email.first_response", started_at=at(10))
    usual = start_clock(case=normal, target="email.first_response", started_at=at(10))

    assert (fast.due_at, fast.priority) == (at(11), "urgent")
    assert usual.due_at == at(18)


def test_a_higher_priority_brings_the_due_time_forward_from_the_start():
    case = make_case()
    clock = start_clock(case=case, target="email.first_response", started_at=at(10))

    (change,) = retarget_clocks_for(case=case, priority="urgent", at=at(10, 30))

    clock.refresh_from_db()
    assert (change.was_due, change.due) == (at(18), at(11))
    assert (clock.due_at, clock.warn_at, clock.next_check_at) == (at(11), at(10, 48), at(10, 48))
    assert clock.priority == "urgent"
    assert (
        str(change) == "email.first_response due 04 Mar 2026 11:00 GMT (was 04 Mar 2026 18:00 GMT)"
    )


def test_a_lower_priority_gives_more_time_in_service_hours():
    case = make_case()
    start_clock(case=case, target="email.first_response", started_at=at(10))

    (change,) = retarget_clocks_for(case=case, priority="low", at=at(11))

    assert change.due == at(12, day=5)  # 12 h to 22:00, 4 h from 08:00 the next day


def test_paused_time_never_counts():
    case = make_case()
    clock = start_clock(case=case, target="email.first_response", started_at=at(10))
    pause_clock(clock=clock, at=at(10, 15))
    resume_clock(clock=clock, at=at(10, 45))

    (change,) = retarget_clocks_for(case=case, priority="urgent", at=at(11))

    assert change.due == at(11, 30)  # 30 min used of the hour (10:00-10:15, 10:45-11:00)


def test_a_paused_clock_takes_the_new_time_left_when_it_resumes():
    case = make_case()
    clock = start_clock(case=case, target="email.first_response", started_at=at(10))
    pause_clock(clock=clock, at=at(10, 15))

    (change,) = retarget_clocks_for(case=case, priority="urgent", at=at(10, 30))
    resumed = resume_clock(clock=clock, at=at(11))

    assert change.due is None
    assert resumed.due_at == at(11, 45)


def test_a_target_already_outrun_is_breached_when_it_passed():
    case = make_case()
    start_clock(case=case, target="email.first_response", started_at=at(10))

    (change,) = retarget_clocks_for(case=case, priority="urgent", at=at(12))
    sweep_clocks(now=at(12))

    clock = change.clock
    clock.refresh_from_db()
    assert change.due == at(11)
    assert (clock.outcome, clock.breached_at) == (ClockOutcome.BREACHED, at(11))


def test_met_and_breached_clocks_stay_as_they_ended():
    case = make_case()
    met = start_clock(case=case, target="email.first_response", started_at=at(10))
    stop_clock(clock=met, at=at(10, 5))
    late = start_clock(case=make_case(), target="email.first_response", started_at=at(10))
    sweep_clocks(now=at(18) + timedelta(seconds=1))

    assert retarget_clocks_for(case=case, priority="urgent", at=at(19)) == []
    assert retarget_clocks_for(case=late.case, priority="urgent", at=at(19)) == []
    met.refresh_from_db()
    late.refresh_from_db()
    assert (met.state, met.outcome, met.due_at) == (ClockState.STOPPED, ClockOutcome.MET, at(18))
    assert (late.outcome, late.due_at) == (ClockOutcome.BREACHED, at(18))


def test_a_priority_change_leaves_other_channels_and_complaint_targets_alone():
    case = make_case()
    start_clock(case=case, target="chat.first_response", started_at=at(10))

    assert retarget_clocks_for(case=case, priority="urgent", at=at(10, 0, 10)) == []
