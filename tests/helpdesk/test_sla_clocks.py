"""Starting, pausing, resuming and stopping clocks (helpdesk/services/sla/clocks.py)."""

from datetime import timedelta
from unittest import mock

import pytest

from helpdesk import tasks
from helpdesk.models import Clock, ClockEscalation
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy import UnknownTarget
from helpdesk.services.policy import policy_for_new_case
from helpdesk.services.sla import (
    assign_clocks_for,
    pause_clock,
    resume_clock,
    start_clock,
    stop_clock,
    stop_clocks_for,
)
from tests.helpdesk.sla_support import at, eager_celery, make_case, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


def test_start_computes_due_and_warning_from_the_policy_in_force(time_machine):
    time_machine.move_to(at(10), tick=False)
    version, policy = policy_for_new_case()

    clock = start_clock(case=make_case(), target="chat.first_response")

    assert clock.policy_version == version
    assert clock.started_at == at(10)
    assert clock.due_at == policy.deadline("chat.first_response", at(10)) == at(10, 1)
    assert clock.warn_at == at(10, 0, 48)  # 80% of 60 s
    assert clock.next_check_at == clock.warn_at
    assert (clock.state, clock.outcome) == (ClockState.RUNNING, ClockOutcome.PENDING)


def test_start_outside_service_hours_is_due_after_the_next_opening():
    clock = start_clock(case=make_case(), target="chat.first_response", started_at=at(23))
    assert clock.due_at == at(8, 1, day=5)


def test_start_is_idempotent_per_case_and_target():
    case = make_case()
    first = start_clock(case=case, target="email.first_response", started_at=at(9))
    again = start_clock(case=case, target="email.first_response", started_at=at(11))
    other = start_clock(case=case, target="email.acknowledge", started_at=at(11))

    assert again.pk == first.pk and again.started_at == at(9)
    assert other.pk != first.pk
    assert Clock.objects.count() == 2


def test_unknown_target_is_refused():
    with pytest.raises(UnknownTarget):
        start_clock(case=make_case(), target="chat.lunch", started_at=at(10))
    assert not Clock.objects.exists()


def test_a_short_clock_gets_a_task_at_its_due_time_after_commit(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(10), tick=False)
    with (
        mock.patch.object(tasks.check_clock, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        clock = start_clock(case=make_case(), target="chat.first_response")
        apply_async.assert_not_called()  # not before commit

    apply_async.assert_called_once()
    args, options = apply_async.call_args
    assert list(args[0]) == [clock.pk]
    assert options["eta"] == clock.due_at == at(10, 1)


def test_a_long_clock_is_left_to_the_sweep(time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(at(10), tick=False)
    with (
        mock.patch.object(tasks.check_clock, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        start_clock(case=make_case(), target="complaints.acknowledge")  # 2 working days
    apply_async.assert_not_called()


def test_pause_and_resume_move_due_by_the_time_left():
    clock = start_clock(case=make_case(), target="email.first_response", started_at=at(9))
    assert clock.due_at == at(17)  # 8 service hours

    paused = pause_clock(clock=clock, at=at(10))  # 7 hours left
    assert paused.state == ClockState.PAUSED
    assert paused.remaining_at_pause == 7 * 3600
    assert paused.next_check_at is None

    resumed = resume_clock(clock=clock, at=at(9, day=5))
    assert resumed.state == ClockState.RUNNING
    assert resumed.due_at == at(16, day=5)
    assert resumed.paused_seconds == 23 * 3600
    # The warning keeps its place in the target: 80% of 8 h gone = 1.6 h left = 14:24.
    assert resumed.warn_at == at(14, 24, day=5)
    assert resumed.next_check_at == resumed.warn_at
    assert resumed.remaining_at_pause is None and resumed.paused_at is None


def test_paused_time_outside_service_hours_is_no_loss():
    clock = start_clock(case=make_case(), target="chat.resolution", started_at=at(21, 50))
    paused = pause_clock(clock=clock, at=at(21, 55))  # 5 minutes left tonight, 20 tomorrow
    assert paused.remaining_at_pause == 25 * 60
    resumed = resume_clock(clock=clock, at=at(7, day=5))  # before opening
    assert resumed.due_at == at(8, 25, day=5)


def test_pause_and_resume_are_idempotent():
    clock = start_clock(case=make_case(), target="email.first_response", started_at=at(9))
    pause_clock(clock=clock, at=at(10))
    again = pause_clock(clock=clock, at=at(11))
    assert again.paused_at == at(10)
    resume_clock(clock=clock, at=at(12))
    again = resume_clock(clock=clock, at=at(13))
    assert again.due_at == at(19)


def test_stopped_in_time_is_met():
    clock = start_clock(case=make_case(), target="chat.first_response", started_at=at(10))
    stopped = stop_clock(clock=clock, at=at(10, 0, 30))
    assert (stopped.state, stopped.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert stopped.stopped_at == at(10, 0, 30) and stopped.next_check_at is None


def test_stopped_exactly_at_due_is_met():
    clock = start_clock(case=make_case(), target="chat.first_response", started_at=at(10))
    assert stop_clock(clock=clock, at=clock.due_at).outcome == ClockOutcome.MET


def test_stopped_late_records_the_breach_and_its_first_escalation():
    staff = make_staff()
    clock = start_clock(
        case=make_case(), target="chat.first_response", started_at=at(10), assignee=staff.agent
    )
    stopped = stop_clock(clock=clock, at=at(10, 5))

    assert stopped.outcome == ClockOutcome.BREACHED
    assert stopped.breached_at == clock.due_at == at(10, 1)
    assert list(ClockEscalation.objects.values_list("level", "notified_role")) == [
        (1, "supervisor")
    ]


def test_a_breached_clock_stays_breached_and_stop_is_idempotent():
    clock = start_clock(case=make_case(), target="chat.first_response", started_at=at(10))
    stop_clock(clock=clock, at=at(10, 5))
    again = stop_clock(clock=clock, at=at(10, 0, 30))
    assert again.outcome == ClockOutcome.BREACHED
    assert again.stopped_at == at(10, 5)


def test_a_paused_clock_stopped_is_met_and_its_pause_counted():
    clock = start_clock(case=make_case(), target="email.first_response", started_at=at(9))
    pause_clock(clock=clock, at=at(10))
    stopped = stop_clock(clock=clock, at=at(20))
    assert stopped.outcome == ClockOutcome.MET
    assert stopped.paused_seconds == 10 * 3600


def test_stop_clocks_for_stops_the_targets_named():
    case, other = make_case(), make_case()
    for target in ("email.acknowledge", "email.first_response", "email.resolution"):
        start_clock(case=case, target=target, started_at=at(9))
    start_clock(case=other, target="email.first_response", started_at=at(9))

    stopped = stop_clocks_for(
        case=case, targets=["email.acknowledge", "email.first_response"], at=at(9)
    )

    assert sorted(c.target for c in stopped) == ["email.acknowledge", "email.first_response"]
    assert Clock.objects.filter(state=ClockState.STOPPED).count() == 2
    assert len(stop_clocks_for(case=case, at=at(9, 30))) == 1  # the rest
    assert Clock.objects.filter(state=ClockState.RUNNING).count() == 1  # the other case's


def test_assign_clocks_for_sets_the_assignee_of_open_clocks():
    staff = make_staff()
    case = make_case()
    start_clock(case=case, target="chat.first_response", started_at=at(10))
    done = start_clock(case=case, target="chat.resolution", started_at=at(10))
    stop_clock(clock=done, at=at(10, 1))

    assert assign_clocks_for(case=case, assignee=staff.agent) == 1
    assert Clock.objects.get(target="chat.first_response").assignee == staff.agent


def test_the_warning_moves_with_a_pause_before_it_and_stays_given_after_it():
    clock = start_clock(case=make_case(), target="chat.resolution", started_at=at(10))
    assert clock.warn_at == at(10, 24)
    pause_clock(clock=clock, at=at(10, 10))
    resumed = resume_clock(clock=clock, at=at(11))
    assert (resumed.warn_at, resumed.due_at) == (at(11, 14), at(11, 20))


def test_resume_is_due_straight_away_when_paused_past_the_warning_unwarned():
    clock = start_clock(case=make_case(), target="chat.resolution", started_at=at(10))
    Clock.objects.filter(pk=clock.pk).update(warn_at=None)  # as if never computed
    pause_clock(clock=clock, at=at(10, 25))
    resumed = resume_clock(clock=clock, at=at(11) + timedelta(minutes=0))
    assert resumed.due_at == at(11, 5)
    assert resumed.warn_at == at(11)
