"""Each escalation level of a clock fires once, whatever runs twice or at the same time.

The clocks' row locks keep the sweep and the `check_clock` task from working on one clock
together; the database's unique (clock, level) constraint is the last guard when a run works
from a clock it read before another run wrote it. These tests run on the real database.
"""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from helpdesk.models import Clock, ClockEscalation, Notification, Role
from helpdesk.services.sla import ESCALATION_KIND, check_clock, sweep_clocks
from helpdesk.services.sla.breach import advance_clocks
from helpdesk.services.sla.common import PolicyCache
from tests.helpdesk.sla_support import at, bulk_clocks, make_staff

# The project policy: level 1 (supervisor) at the breach, level 2 (manager) one service hour
# later. Clocks due at 10:00 have both levels due by 15:00; for an agent with a supervisor of
# their own, each level tells one person (the supervisor, then the manager).
LEVELS = [(1, Role.SUPERVISOR), (2, Role.MANAGER)]


def escalations() -> list[tuple[int, int, str]]:
    return list(
        ClockEscalation.objects.order_by("clock_id", "level").values_list(
            "clock_id", "level", "notified_role"
        )
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_escalation_of_the_same_level():
    clock = bulk_clocks(1, due_at=at(10))[0]
    ClockEscalation.objects.create(clock=clock, level=1, notified_role=Role.SUPERVISOR)

    with pytest.raises(IntegrityError), transaction.atomic():
        ClockEscalation.objects.create(clock=clock, level=1, notified_role=Role.MANAGER)

    ClockEscalation.objects.create(clock=clock, level=2, notified_role=Role.MANAGER)
    assert escalations() == [(clock.pk, 1, Role.SUPERVISOR), (clock.pk, 2, Role.MANAGER)]


@pytest.mark.django_db
def test_a_run_working_from_a_stale_clock_is_refused_rather_than_notifying_twice():
    """Two runs read the clock before either wrote it (no lock held): the first records both
    levels; the second, replaying the same levels, is refused whole by the database."""
    staff = make_staff()
    clock = bulk_clocks(1, due_at=at(10), assignee=staff.agent)[0]
    first, second = Clock.objects.get(pk=clock.pk), Clock.objects.get(pk=clock.pk)

    with transaction.atomic():
        advance_clocks([first], now=at(15), policies=PolicyCache())
    with pytest.raises(IntegrityError), transaction.atomic():
        advance_clocks([second], now=at(15), policies=PolicyCache())

    assert escalations() == [(clock.pk, level, role) for level, role in LEVELS]
    assert Notification.objects.filter(kind=ESCALATION_KIND).count() == len(LEVELS)
    clock.refresh_from_db()
    assert clock.escalation_level == len(LEVELS)


def _run_together(jobs: list) -> list[BaseException]:
    """Run each job in its own thread (and database connection), all released at once."""
    start = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def run(job):
        try:
            start.wait(timeout=60)
            job()
        except BaseException as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a breach run never finished"
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_and_checks_escalate_each_level_once():
    """Two sweeps and two `check_clock` runs per clock, at the same time, on separate
    connections: each level of each clock fires exactly once, and nobody gets an error."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent connections need PostgreSQL")
    staff = make_staff()
    clocks = bulk_clocks(5, due_at=at(10), assignee=staff.agent)
    now = at(15)
    jobs = [lambda: sweep_clocks(now=now, batch_size=3) for _ in range(2)]
    for clock in clocks:
        jobs += [lambda pk=clock.pk: check_clock(clock_id=pk, now=now) for _ in range(2)]

    errors = _run_together(jobs)

    assert errors == []
    assert escalations() == [(c.pk, level, role) for c in clocks for level, role in LEVELS]
    assert Notification.objects.filter(kind=ESCALATION_KIND).count() == len(clocks) * len(LEVELS)
