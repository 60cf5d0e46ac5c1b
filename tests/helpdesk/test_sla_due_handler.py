"""A target kept when it falls due (helpdesk.sla_registry.on_due): the clock's due moment does
what was promised and the clock stops as met, instead of breaching; once, whoever checks it."""

from datetime import timedelta

import pytest

from helpdesk import sla_registry
from helpdesk.models import Clock, ClockEscalation
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.sla import check_clock, start_clock, stop_clock, sweep_clocks
from tests.helpdesk.sla_support import at, eager_celery, make_case

pytestmark = pytest.mark.django_db

TARGET = "email.acknowledge"  # "0s" in the project's policy: due at the start


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


@pytest.fixture
def kept(monkeypatch):
    """A due handler for TARGET that records each call and keeps the target (or not)."""
    calls: list[tuple[int, object]] = []
    answer = {"keep": True}

    def keep(clock, now):
        calls.append((clock.pk, now))
        return answer["keep"]

    monkeypatch.setattr(sla_registry, "_due_handlers", {})
    sla_registry.register_due_handler(TARGET, keep)
    return calls, answer


def test_the_due_moment_keeps_the_target_and_the_clock_is_met_once(kept):
    calls, _ = kept
    clock = start_clock(case=make_case(), target=TARGET, started_at=at(10))

    check_clock(clock_id=clock.pk, now=at(10))
    sweep_clocks(now=at(10, 0, 5))
    check_clock(clock_id=clock.pk, now=at(10, 1))

    assert calls == [(clock.pk, at(10))]
    clock.refresh_from_db()
    assert (clock.state, clock.outcome, clock.stopped_at) == (
        ClockState.STOPPED,
        ClockOutcome.MET,
        at(10),
    )
    assert not ClockEscalation.objects.exists()


def test_the_sweep_alone_keeps_it_after_a_worker_restart(kept):
    calls, _ = kept
    clock = start_clock(case=make_case(), target=TARGET, started_at=at(10))

    report = sweep_clocks(now=at(10, 0, 3))

    assert calls == [(clock.pk, at(10, 0, 3))] and report.breached == 0
    assert Clock.objects.get(pk=clock.pk).outcome == ClockOutcome.MET


def test_a_handler_that_cannot_keep_it_lets_it_breach(kept):
    _, answer = kept
    answer["keep"] = False
    clock = start_clock(case=make_case(), target=TARGET, started_at=at(10))

    sweep_clocks(now=at(10, 0, 3))

    assert Clock.objects.get(pk=clock.pk).outcome == ClockOutcome.BREACHED


def test_kept_long_after_its_moment_is_kept_late_and_recorded_as_breached(kept):
    calls, _ = kept
    clock = start_clock(case=make_case(), target=TARGET, started_at=at(10))

    sweep_clocks(now=at(11))  # the workers were down for an hour

    assert len(calls) == 1  # the customer still hears from us
    clock.refresh_from_db()
    assert (clock.state, clock.outcome, clock.breached_at) == (
        ClockState.STOPPED,
        ClockOutcome.BREACHED,
        at(10),
    )


def test_stopping_it_late_by_hand_does_not_call_the_handler(kept):
    calls, _ = kept
    clock = start_clock(case=make_case(), target=TARGET, started_at=at(10))

    stop_clock(clock=clock, at=at(10) + timedelta(hours=1))  # an agent's late reply

    assert calls == []
    assert Clock.objects.get(pk=clock.pk).outcome == ClockOutcome.BREACHED


def test_a_busy_case_is_kept_by_the_next_sweep(kept):
    calls, answer = kept
    clock = start_clock(case=make_case(), target=TARGET, started_at=at(10))

    def busy(clock, now):
        calls.append((clock.pk, now))
        if len(calls) == 1:
            raise sla_registry.NotNow
        return True

    sla_registry._due_handlers[TARGET] = busy
    sweep_clocks(now=at(10, 0, 3))
    assert Clock.objects.get(pk=clock.pk).outcome == ClockOutcome.PENDING
    sweep_clocks(now=at(10, 0, 8))

    assert [moment for _, moment in calls] == [at(10, 0, 3), at(10, 0, 8)]
    assert Clock.objects.get(pk=clock.pk).outcome == ClockOutcome.MET


def test_one_handler_per_target():
    def one(clock, now): ...
    def other(clock, now): ...

    sla_registry.register_due_handler("x.acknowledge", one)
    try:
        sla_registry.register_due_handler("x.acknowledge", one)  # ready() run twice: fine
        with pytest.raises(ValueError):
            sla_registry.register_due_handler("x.acknowledge", other)
    finally:
        sla_registry.unregister_due_handler("x.acknowledge")
