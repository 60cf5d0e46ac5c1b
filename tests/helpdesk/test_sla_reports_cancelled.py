"""A cancelled clock (its target stopped applying: a chat left as a message, a customer gone
before an answer) is neither met nor breached: the SLA report counts it apart, leaves it out of
% met, and its stop is no first response."""

import pytest

from helpdesk.models import Role
from helpdesk.selectors.reports import first_response_times, sla_compliance
from helpdesk.services.sla import cancel_clocks_for, start_clock, stop_clock
from tests.helpdesk.factories import AgentFactory
from tests.helpdesk.sla_support import at, make_case

pytestmark = pytest.mark.django_db

TARGET = "chat.first_response"  # 60 s in the project's policy


@pytest.fixture
def clocks():
    met = start_clock(case=make_case(), target=TARGET, started_at=at(10))
    stop_clock(clock=met, at=at(10, 0, 30))
    late = start_clock(case=make_case(), target=TARGET, started_at=at(10))
    stop_clock(clock=late, at=at(10, 5))
    for _ in range(2):  # two customers gone 20 s into the wait
        case = make_case()
        start_clock(case=case, target=TARGET, started_at=at(10))
        cancel_clocks_for(case=case, reason="customer left before an answer", at=at(10, 0, 20))
    start_clock(case=make_case(), target=TARGET, started_at=at(10))  # still running


def test_cancelled_clocks_are_neither_met_nor_breached(clocks):
    (row,) = sla_compliance(start=at(0), end=at(0, day=5))
    assert (row.met, row.breached, row.cancelled, row.running) == (1, 1, 2, 1)
    assert row.percent_met == 50.0


def test_a_cancelled_clock_is_no_first_response(clocks):
    (row,) = first_response_times(start=at(0), end=at(0, day=5))
    # 30 s and 5 min; not the two 20 s waits of customers who left
    assert (row.channel, row.count, row.median_seconds) == ("chat", 2, 165.0)


def test_the_api_report_counts_cancelled_clocks_apart(clocks, client):
    client.force_login(AgentFactory(role=Role.SUPERVISOR).user)
    response = client.get(
        "/api/v1/reports/sla/", {"start": "2026-03-04T00:00:00Z", "end": "2026-03-05T00:00:00Z"}
    )
    assert response.status_code == 200, response.content
    (row,) = response.json()["compliance"]
    assert (row["met"], row["breached"], row["cancelled"], row["running"]) == (1, 1, 2, 1)
    assert row["percent_met"] == 50.0


def test_a_breached_clock_cancelled_later_is_no_first_response(clocks):
    case = make_case()  # a customer who waited past the target, then left
    start_clock(case=case, target=TARGET, started_at=at(10))
    cancel_clocks_for(case=case, reason="customer left before an answer", at=at(10, 3))

    (compliance,) = sla_compliance(start=at(0), end=at(0, day=5))
    (times,) = first_response_times(start=at(0), end=at(0, day=5))
    assert compliance.breached == 2  # the promise was missed
    assert (times.count, times.median_seconds) == (2, 165.0)  # but nobody answered it
