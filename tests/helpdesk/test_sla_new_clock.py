"""One place builds a clock (`new_clock`): starting, starting several at once and starting a
new round all give the same clock for the same target, start and version."""

import pytest

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.policy import ensure_policy_in_force
from helpdesk.services.sla import (
    restart_clocks_for,
    start_clock,
    start_clocks,
    stop_clocks_for,
)
from helpdesk.services.sla.clocks import new_clock
from tests.helpdesk.sla_support import at, eager_celery, make_case

pytestmark = pytest.mark.django_db

FIELDS = ["target", "policy_version_id", "started_at", "due_at", "warn_at", "next_check_at"]


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


def _terms(clock: Clock) -> dict:
    return {name: getattr(clock, name) for name in FIELDS}


def test_new_clock_is_unsaved_and_computed_from_the_version():
    version = ensure_policy_in_force(now=at(10))

    clock = new_clock(
        case=make_case(), target="chat.first_response", started_at=at(10), version=version
    )

    assert clock.pk is None and not Clock.objects.exists()
    assert (clock.due_at, clock.warn_at, clock.next_check_at) == (
        at(10, 1),
        at(10, 0, 48),
        at(10, 0, 48),
    )
    assert (clock.state, clock.outcome, clock.round) == (
        ClockState.RUNNING,
        ClockOutcome.PENDING,
        1,
    )


def test_a_met_clock_starts_stopped_and_is_never_checked():
    version = ensure_policy_in_force(now=at(10))

    clock = new_clock(
        case=make_case(), target="email.acknowledge", started_at=at(10), version=version, met=True
    )

    assert (clock.state, clock.outcome, clock.stopped_at) == (
        ClockState.STOPPED,
        ClockOutcome.MET,
        at(10),
    )
    assert clock.next_check_at is None


def test_start_clock_start_clocks_and_a_new_round_build_the_same_clock():
    version = ensure_policy_in_force(now=at(10))
    built = _terms(
        new_clock(
            case=make_case(), target="email.first_response", started_at=at(10), version=version
        )
    )

    one = start_clock(case=make_case(), target="email.first_response", started_at=at(10))
    (several,) = start_clocks(case=make_case(), targets=["email.first_response"], started_at=at(10))
    reopened = make_case()
    start_clock(case=reopened, target="email.first_response", started_at=at(9))
    stop_clocks_for(case=reopened, at=at(9, 30))
    (again,) = restart_clocks_for(case=reopened, targets=["email.first_response"], at=at(10))

    assert _terms(one) == _terms(several) == _terms(again) == built
    assert again.round == 2
