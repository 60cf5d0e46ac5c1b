"""The first response report counts the time the desk had, not the time a case waited on the
customer: paused time is left out, whether the clock resumed or stopped while paused."""

import pytest

from helpdesk.models import Role
from helpdesk.selectors.reports import first_response_times
from helpdesk.services.sla import pause_clock, resume_clock, start_clock, stop_clock
from tests.helpdesk.factories import AgentFactory
from tests.helpdesk.sla_support import at, make_case

pytestmark = pytest.mark.django_db


def answered(target: str, *, started, stopped, pauses=(), paused_at_stop=None):
    """A first-response clock that ran from `started` to `stopped`, paused for each
    (pause, resume) of `pauses`, and paused at `paused_at_stop` when it was stopped."""
    clock = start_clock(case=make_case(), target=target, started_at=started)
    for paused, resumed in pauses:
        clock = pause_clock(clock=clock, at=paused)
        clock = resume_clock(clock=clock, at=resumed)
    if paused_at_stop is not None:
        clock = pause_clock(clock=clock, at=paused_at_stop)
    return stop_clock(clock=clock, at=stopped)


@pytest.fixture
def clocks():
    # Email: 1 h 20 min elapsed, 1 h of it paused (two pauses): 20 minutes of the desk's time.
    answered(
        "email.first_response",
        started=at(10),
        stopped=at(11, 20),
        pauses=[(at(10, 5), at(10, 35)), (at(10, 40), at(11, 10))],
    )
    # Phone: answered 30 minutes after the start, 25 of them paused when it stopped: 5 minutes.
    answered("phone.first_response", started=at(10), stopped=at(10, 30), paused_at_stop=at(10, 5))
    # Chat: never paused, answered in 40 seconds.
    answered("chat.first_response", started=at(10), stopped=at(10, 0, 40))


def test_paused_time_is_not_counted_in_the_first_response_times(clocks):
    report = first_response_times(start=at(0), end=at(0, day=5))

    seconds = {row.channel: (row.count, row.median_seconds, row.p90_seconds) for row in report}
    assert seconds == {
        "email": (1, 1200.0, 1200.0),
        "phone": (1, 300.0, 300.0),
        "chat": (1, 40.0, 40.0),
    }


def test_the_api_report_shows_the_times_without_the_pauses(clocks, client):
    client.force_login(AgentFactory(role=Role.SUPERVISOR).user)

    response = client.get(
        "/api/v1/reports/sla/", {"start": "2026-03-04T00:00:00Z", "end": "2026-03-05T00:00:00Z"}
    )

    assert response.status_code == 200, response.content
    times = {row["channel"]: row["median_seconds"] for row in response.json()["first_response"]}
    assert times == {"chat": 40.0, "email": 1200.0, "phone": 300.0}
