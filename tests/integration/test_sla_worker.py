"""SLA clocks with a real Celery worker: the task scheduled at a clock's due time records the
breach, and a worker killed with a breach pending loses nothing and doubles nothing."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk import tasks
from helpdesk.models import Clock, ClockEscalation, Notification, Role
from helpdesk.models.sla import ClockOutcome
from helpdesk.services.sla import ESCALATION_KIND, start_clock
from tests.helpdesk.sla_support import make_case, make_staff
from tests.support.servers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TARGET = "chat.first_response"  # 60 s of service time, all day under the test policy
DEADLINE = 30  # seconds to wait for the worker, far beyond what it needs


def ran(worker, task: str, event: str = "succeeded") -> bool:
    """Whether the worker's log says the task was received (or succeeded), since its start."""
    return (
        re.search(rf"Task helpdesk\.tasks\.{task}\[[0-9a-f-]+\] {event}", worker.output())
        is not None
    )


def breached(clock: Clock) -> bool:
    return Clock.objects.filter(pk=clock.pk, outcome=ClockOutcome.BREACHED).exists()


def escalations(clock: Clock) -> list[tuple[int, str]]:
    return list(ClockEscalation.objects.filter(clock=clock).values_list("level", "notified_role"))


def test_the_task_scheduled_at_due_time_records_the_breach(celery_worker, round_the_clock_policy):
    staff = make_staff()
    # Started 58 s ago: due in about 2 s. No sweep runs here, only the scheduled task.
    clock = start_clock(
        case=make_case(),
        target=TARGET,
        started_at=timezone.now() - timedelta(seconds=58),
        assignee=staff.agent,
    )
    assert clock.policy_version == round_the_clock_policy
    assert not breached(clock)

    wait_for(lambda: breached(clock), timeout=DEADLINE, what="the breach", interval=0.1)

    clock.refresh_from_db()
    assert clock.breached_at == clock.due_at
    assert escalations(clock) == [(1, Role.SUPERVISOR)]
    assert list(
        Notification.objects.filter(clock=clock, kind=ESCALATION_KIND).values_list(
            "recipient__username", flat=True
        )
    ) == [staff.supervisor.username]
    assert "helpdesk.tasks.check_clock" in celery_worker.output()


def test_a_killed_worker_loses_no_breach_and_fires_no_escalation_twice(
    celery_worker, broker, round_the_clock_policy
):
    staff = make_staff()
    clock = start_clock(
        case=make_case(),
        target=TARGET,
        started_at=timezone.now() - timedelta(seconds=57),
        assignee=staff.agent,
    )
    # The worker takes the task and holds it until its ETA, unacknowledged...
    wait_for(
        lambda: broker.unacked() == 1 and ran(celery_worker, "check_clock", "received"),
        timeout=DEADLINE,
        what="the worker to take the task",
    )
    # ...and dies before then.
    celery_worker.kill()
    wait_for(lambda: timezone.now() > clock.due_at, timeout=DEADLINE, what="the clock to fall due")
    assert not breached(clock)

    celery_worker.start()  # takes back the dead worker's message at once (visibility timeout)
    tasks.sweep_clocks.delay()

    wait_for(lambda: breached(clock), timeout=DEADLINE, what="the breach", interval=0.1)
    wait_for(
        lambda: ran(celery_worker, "check_clock") and ran(celery_worker, "sweep_clocks"),
        timeout=DEADLINE,
        what="the re-delivered task and the sweep to run",
    )
    wait_for(
        lambda: broker.unacked() == 0 and broker.queued() == 0,
        timeout=DEADLINE,
        what="every message to be acknowledged",
    )

    clock.refresh_from_db()
    assert clock.outcome == ClockOutcome.BREACHED
    assert clock.breached_at == clock.due_at
    assert escalations(clock) == [(1, Role.SUPERVISOR)]
    assert Notification.objects.filter(clock=clock, kind=ESCALATION_KIND).count() == 1
