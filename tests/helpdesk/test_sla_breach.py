"""Warnings, breaches and escalation levels, each recorded once (helpdesk/services/sla/)."""

from datetime import timedelta

import pytest

from helpdesk import sla_registry, tasks
from helpdesk.models import ClockEscalation, Notification, Role
from helpdesk.models.sla import ClockOutcome
from helpdesk.selectors.sla import escalation_recipients
from helpdesk.services.notifications import notify
from helpdesk.services.sla import (
    ESCALATION_KIND,
    WARNING_KIND,
    check_clock,
    pause_clock,
    resume_clock,
    start_clock,
    stop_clock,
    sweep_clocks,
)
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
from tests.helpdesk.sla_support import at, eager_celery, make_case, make_staff, publish_variant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager():
    with eager_celery():
        yield


@pytest.fixture
def staff():
    return make_staff()


def chat_clock(staff, *, started_at=None, target="chat.first_response"):
    return start_clock(
        case=make_case(), target=target, started_at=started_at or at(10), assignee=staff.agent
    )


def notified(kind=None):
    rows = Notification.objects.order_by("pk")
    if kind:
        rows = rows.filter(kind=kind)
    return [n.recipient.username for n in rows]


def test_nothing_happens_before_the_warning(staff):
    clock = chat_clock(staff)
    check_clock(clock_id=clock.pk, now=at(10, 0, 47))
    clock.refresh_from_db()
    assert clock.warned_at is None and clock.outcome == ClockOutcome.PENDING
    assert not Notification.objects.exists()


def test_the_warning_is_recorded_once_and_tells_the_assignee(staff):
    clock = chat_clock(staff)
    check_clock(clock_id=clock.pk, now=at(10, 0, 48))
    check_clock(clock_id=clock.pk, now=at(10, 0, 50))
    sweep_clocks(now=at(10, 0, 55))

    clock.refresh_from_db()
    assert clock.warned_at == at(10, 0, 48)
    assert clock.outcome == ClockOutcome.PENDING
    assert clock.next_check_at == clock.due_at
    assert notified() == ["alex"]
    assert Notification.objects.get().kind == WARNING_KIND


def test_the_breach_is_recorded_once_when_the_task_and_the_sweep_both_run(
    staff, time_machine, django_capture_on_commit_callbacks
):
    clock = chat_clock(staff)
    time_machine.move_to(at(10, 1, 3), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.check_clock(clock.pk)
        tasks.sweep_clocks()
        tasks.check_clock(clock.pk)
        tasks.sweep_clocks()

    clock.refresh_from_db()
    assert clock.outcome == ClockOutcome.BREACHED
    assert clock.breached_at == clock.due_at == at(10, 1)
    assert clock.warned_at is None  # first seen past due: the breach says it all
    assert list(ClockEscalation.objects.values_list("level", "notified_role")) == [
        (1, Role.SUPERVISOR)
    ]
    assert notified(ESCALATION_KIND) == ["sam"]  # the agent's own supervisor
    assert clock.escalation_level == 1


def test_escalation_levels_fire_in_order_each_once_to_the_right_role(staff):
    clock = chat_clock(staff)
    due = at(10, 1)

    sweep_clocks(now=due)
    clock.refresh_from_db()
    assert notified(ESCALATION_KIND) == ["sam"]
    # Level 2 comes one service hour after the breach.
    assert clock.next_check_at == at(11, 1)

    sweep_clocks(now=at(11, 0, 59))
    check_clock(clock_id=clock.pk, now=at(11, 0, 59))
    assert ClockEscalation.objects.count() == 1

    sweep_clocks(now=at(11, 1))
    check_clock(clock_id=clock.pk, now=at(11, 2))
    sweep_clocks(now=at(12))

    assert list(ClockEscalation.objects.values_list("level", "notified_role")) == [
        (1, Role.SUPERVISOR),
        (2, Role.MANAGER),
    ]
    assert notified(ESCALATION_KIND) == ["sam", "maria"]
    clock.refresh_from_db()
    assert clock.escalation_level == 2 and clock.next_check_at is None


def test_levels_due_together_fire_together_in_order(staff):
    clock = chat_clock(staff)
    check_clock(clock_id=clock.pk, now=at(15))
    levels = ClockEscalation.objects.filter(clock=clock).order_by("pk")
    assert list(levels.values_list("level", flat=True)) == [1, 2]
    assert notified(ESCALATION_KIND) == ["sam", "maria"]


def test_the_escalation_hour_counts_service_time_only(staff):
    # Breached at 21:31, 29 service minutes before closing: level 2 at 08:31 the next morning.
    clock = chat_clock(staff, started_at=at(21, 30))
    sweep_clocks(now=at(21, 31))
    clock.refresh_from_db()
    assert clock.next_check_at == at(8, 31, day=5)
    sweep_clocks(now=at(8, 30, day=5))
    assert ClockEscalation.objects.count() == 1
    sweep_clocks(now=at(8, 31, day=5))
    assert ClockEscalation.objects.count() == 2


def test_a_stopped_clock_escalates_no_further(staff):
    clock = chat_clock(staff)
    sweep_clocks(now=at(10, 2))
    stop_clock(clock=clock, at=at(10, 3))
    sweep_clocks(now=at(13))
    assert check_clock(clock_id=clock.pk, now=at(13)).escalation_level == 1
    assert ClockEscalation.objects.count() == 1


def test_supervisor_means_own_supervisor_else_team_supervisors_else_all():
    team = TeamFactory()
    own = AgentFactory(role=Role.SUPERVISOR).user
    in_team = AgentFactory(role=Role.SUPERVISOR, team=team).user
    elsewhere = AgentFactory(role=Role.SUPERVISOR, team=TeamFactory()).user
    manager = AgentFactory(role=Role.MANAGER).user
    with_own = AgentFactory(team=team, supervisor=own).user
    team_only = AgentFactory(team=team).user
    alone = AgentFactory().user
    gone = AgentFactory(role=Role.SUPERVISOR).user
    gone.is_active = False
    gone.save()
    left_behind = AgentFactory(supervisor=gone).user

    found = escalation_recipients(
        assignee_ids=[with_own.pk, team_only.pk, alone.pk, left_behind.pk],
        roles={Role.SUPERVISOR, Role.MANAGER, Role.AGENT},
    )

    every_supervisor = sorted([own.pk, in_team.pk, elsewhere.pk])
    assert found.for_role(Role.SUPERVISOR, with_own.pk) == [own.pk]
    assert found.for_role(Role.SUPERVISOR, team_only.pk) == [in_team.pk]
    assert sorted(found.for_role(Role.SUPERVISOR, alone.pk)) == every_supervisor
    assert sorted(found.for_role(Role.SUPERVISOR, left_behind.pk)) == every_supervisor
    assert sorted(found.for_role(Role.SUPERVISOR, None)) == every_supervisor
    assert found.for_role(Role.MANAGER, alone.pk) == [manager.pk]
    assert found.for_role(Role.AGENT, alone.pk) == [alone.pk]
    assert found.for_role(Role.AGENT, None) == []


def test_an_agent_level_tells_the_assignee_and_no_one_when_unassigned(staff):
    publish_variant(
        version="1.1",
        effective="2026-02-01",
        replace={'notify = "supervisor"': 'notify = "agent"'},
    )
    mine = chat_clock(staff)
    nobodys = start_clock(case=make_case(), target="chat.first_response", started_at=at(10))
    sweep_clocks(now=at(10, 2))
    assert notified(ESCALATION_KIND) == ["alex"]
    assert ClockEscalation.objects.filter(clock__in=[mine, nobodys], level=1).count() == 2


def test_a_clock_keeps_its_policy_version_after_a_new_one_is_published(staff):
    old = chat_clock(staff)
    publish_variant(
        version="2.0",
        effective="2026-03-01",
        replace={
            'first_response = "60s"': 'first_response = "120s"',
            'notify = "supervisor"': 'notify = "agent"',
        },
    )
    new = chat_clock(staff, started_at=at(10, 30))
    assert (old.policy_version.version, new.policy_version.version) == ("1.0", "2.0")
    assert new.due_at == at(10, 32)

    # Pause and resume recompute with the old version: 30 s were left of its 60 s.
    pause_clock(clock=old, at=at(10, 0, 30))
    resumed = resume_clock(clock=old, at=at(10, 45))
    assert resumed.due_at == at(10, 45, 30)
    # Each escalates by its own version's levels: the old one to the agent's supervisor, the
    # new one to the agent.
    sweep_clocks(now=at(10, 46))
    by_clock = Notification.objects.filter(kind=ESCALATION_KIND)
    assert [n.recipient.username for n in by_clock.filter(clock=old)] == ["sam"]
    assert [n.recipient.username for n in by_clock.filter(clock=new)] == ["alex"]


def test_breach_and_warning_handlers_are_called_once_after_commit(
    staff, django_capture_on_commit_callbacks
):
    calls = []

    def on_chat_breach(clock):
        calls.append(("breach", clock.target, clock.outcome))

    def on_any_warning(clock):
        calls.append(("warning", clock.target, clock.warned_at))

    sla_registry.register_breach_handler("chat.first_response", on_chat_breach)
    sla_registry.register_breach_handler("chat", on_chat_breach)  # the same, by section: once
    sla_registry.register_warning_handler("*", on_any_warning)
    try:
        clock = chat_clock(staff)
        email = start_clock(case=make_case(), target="email.acknowledge", started_at=at(10))
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            sweep_clocks(now=at(10, 0, 50))
        assert calls == []  # not before commit
        for callback in callbacks:
            callback()
        with django_capture_on_commit_callbacks(execute=True):
            sweep_clocks(now=at(10, 2))
            check_clock(clock_id=clock.pk, now=at(10, 3))
            sweep_clocks(now=at(10, 4))
    finally:
        sla_registry.unregister("chat.first_response", on_chat_breach)
        sla_registry.unregister("chat", on_chat_breach)
        sla_registry.unregister("*", on_any_warning)

    assert calls == [
        ("warning", "chat.first_response", at(10, 0, 50)),
        ("breach", "chat.first_response", ClockOutcome.BREACHED),
    ]
    email.refresh_from_db()
    assert email.outcome == ClockOutcome.BREACHED  # due at once; no handler for email


def test_a_failing_handler_does_not_stop_the_others(staff, django_capture_on_commit_callbacks):
    calls = []

    def broken(clock):
        raise RuntimeError("boom")

    sla_registry.register_breach_handler("chat", broken)
    sla_registry.register_breach_handler("*", calls.append)
    try:
        clock = chat_clock(staff)
        with django_capture_on_commit_callbacks(execute=True):
            sweep_clocks(now=at(10, 2))
    finally:
        sla_registry.unregister("chat", broken)
        sla_registry.unregister("*", calls.append)
    assert [c.pk for c in calls] == [clock.pk]


def test_escalation_emails_go_to_the_people_notified_once(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    silent = AgentFactory(role=Role.MANAGER, user=UserFactory(username="no-mail", email="")).user
    clock = chat_clock(staff)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_clocks(now=at(10, 2))
        sweep_clocks(now=at(11, 2))
    for notification in Notification.objects.all():  # a re-run sends nothing twice
        tasks.send_notification_email(notification.pk)

    assert sorted(m.to[0] for m in mailoutbox) == ["maria@example.com", "sam@example.com"]
    assert all("First response (chat)" in m.subject for m in mailoutbox)
    assert Notification.objects.filter(recipient=silent, emailed_at__isnull=True).count() == 1
    assert Notification.objects.exclude(recipient=silent).filter(emailed_at=None).count() == 0
    assert clock.pk


def test_the_warning_email_reaches_the_agent(staff, mailoutbox, django_capture_on_commit_callbacks):
    clock = chat_clock(staff)
    with django_capture_on_commit_callbacks(execute=True):
        check_clock(clock_id=clock.pk, now=at(10, 0, 50))
    assert [m.to for m in mailoutbox] == [["alex@example.com"]]
    assert "Due soon" in mailoutbox[0].subject


def test_a_resumed_breached_clock_goes_on_to_its_next_level(staff):
    clock = chat_clock(staff)
    paused = pause_clock(clock=clock, at=at(10, 5))  # records the breach first
    assert paused.outcome == ClockOutcome.BREACHED and paused.escalation_level == 1
    resumed = resume_clock(clock=clock, at=at(10, 30))
    assert resumed.due_at == at(10, 1)
    assert resumed.next_check_at == at(11, 1)
    sweep_clocks(now=at(11, 1) + timedelta(seconds=1))
    assert ClockEscalation.objects.filter(clock=clock).count() == 2


def test_notify_tells_each_recipient_once_and_emails_them(
    staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ids = notify(
            recipient_ids=[staff.agent.pk, staff.manager.pk, staff.agent.pk],
            kind="chat.assigned",
            message="A chat is waiting for you",
            url="/desk/",
        )
    assert len(ids) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["alex@example.com", "maria@example.com"]
    assert mailoutbox[0].body.endswith("/desk/")
