"""The sweep: every clock whose moment has come, with queries that grow with batches only."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk.models import Clock, ClockEscalation, Notification
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.selectors.sla import clocks_due_query
from helpdesk.services.sla import start_clock, sweep_clocks
from tests.helpdesk.sla_support import at, bulk_clocks, eager_celery, make_case, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


@pytest.fixture
def staff():
    return make_staff()


def swept(now, **options):
    with CaptureQueriesContext(connection) as queries:
        report = sweep_clocks(now=now, **options)
    return len(queries), report


def test_query_count_does_not_depend_on_the_number_of_running_clocks(staff):
    bulk_clocks(3, due_at=at(10), assignee=staff.agent)
    bulk_clocks(7, due_at=at(12), start=1000, assignee=staff.agent)
    small, small_report = swept(at(10, 0, 5))

    Clock.objects.all().delete()
    bulk_clocks(3, due_at=at(10), assignee=staff.agent)
    bulk_clocks(197, due_at=at(12), start=1000, assignee=staff.agent)
    large, large_report = swept(at(10, 0, 5))

    assert small_report == large_report
    assert (large_report.clocks, large_report.breached, large_report.notifications) == (3, 3, 3)
    assert small == large


def test_query_count_does_not_depend_on_the_number_of_due_clocks_in_a_batch(staff):
    bulk_clocks(2, due_at=at(10), assignee=staff.agent)
    few, _ = swept(at(10, 0, 5))
    Clock.objects.all().delete()
    bulk_clocks(40, due_at=at(10), assignee=staff.agent)
    many, report = swept(at(10, 0, 5))
    assert report.breached == 40 and report.batches == 1
    assert few == many


def test_query_count_grows_with_batches(staff):
    counts = []
    for due in (4, 9, 14):  # 1, 2 and 3 batches of 5
        Clock.objects.all().delete()
        bulk_clocks(due, due_at=at(10), assignee=staff.agent)
        bulk_clocks(50, due_at=at(12), start=1000)
        queries, report = swept(at(10, 0, 5), batch_size=5)
        assert report.clocks == due
        counts.append(queries)
    assert counts[1] - counts[0] == counts[2] - counts[1] > 0


def test_every_due_clock_is_processed_across_batches_oldest_first(staff):
    for n in range(12):
        bulk_clocks(1, due_at=at(10) - timedelta(seconds=n), start=n, assignee=staff.agent)
    first = list(clocks_due_query(now=at(10)).values_list("next_check_at", flat=True)[:5])
    assert first == [at(10) - timedelta(seconds=s) for s in (11, 10, 9, 8, 7)]
    later = clocks_due_query(now=at(10), after=(at(10) - timedelta(seconds=7), 0))
    assert later.count() == 8  # from the clock at -7 s (any id above 0) on

    report = sweep_clocks(now=at(10), batch_size=5)

    assert (report.batches, report.clocks, report.breached) == (3, 12, 12)
    assert not Clock.objects.filter(outcome=ClockOutcome.PENDING).exists()
    assert ClockEscalation.objects.count() == 12


def test_the_sweep_records_warnings_breaches_and_levels_and_leaves_the_rest(staff):
    warned = start_clock(
        case=make_case(), target="chat.resolution", started_at=at(9, 40), assignee=staff.agent
    )
    breached = start_clock(
        case=make_case(), target="chat.first_response", started_at=at(9), assignee=staff.agent
    )
    later = start_clock(case=make_case(), target="email.first_response", started_at=at(9))
    paused = start_clock(case=make_case(), target="chat.first_response", started_at=at(9))
    Clock.objects.filter(pk=paused.pk).update(state=ClockState.PAUSED, next_check_at=None)

    report = sweep_clocks(now=at(10, 5))

    # The chat resolution (30 m from 09:40) warned from 10:04; the first response (due 09:01)
    # breached with both levels (the second one service hour later); the email is due at 17:00
    # and the paused clock is never swept.
    assert (report.clocks, report.warned, report.breached, report.escalations) == (2, 1, 1, 2)
    states = {c.pk: c for c in Clock.objects.all()}
    assert states[warned.pk].warned_at == at(10, 5)
    assert states[breached.pk].escalation_level == 2
    assert states[later.pk].outcome == ClockOutcome.PENDING
    assert states[paused.pk].outcome == ClockOutcome.PENDING
    assert Notification.objects.filter(recipient=staff.agent).count() == 1
