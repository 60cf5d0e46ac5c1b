"""What the clock services share: the policy of a clock's own version, the moments a clock is
next looked at, and the task scheduled at its due time."""

from datetime import datetime, tzinfo

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from helpdesk.models import Clock, PolicyVersion
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy import Calendar, Duration, ServicePolicy
from helpdesk.selectors.cases import case_key, case_links
from helpdesk.services.policy import service_policy_for

CHECK_CLOCK_TASK = "helpdesk.tasks.check_clock"


class PolicyCache:
    """The policy of each clock's own version (never a newer one), loaded once per version."""

    def __init__(self) -> None:
        self._policies: dict[int, ServicePolicy] = {}

    def load(self, clocks: list[Clock]) -> None:
        """Fetch the versions these clocks need and are not yet known, in one query."""
        missing = {c.policy_version_id for c in clocks} - self._policies.keys()
        for version in PolicyVersion.objects.filter(pk__in=missing):
            self._policies[version.pk] = service_policy_for(version)

    def of(self, clock: Clock) -> ServicePolicy:
        policy = self._policies.get(clock.policy_version_id)
        if policy is None:
            policy = self._policies[clock.policy_version_id] = service_policy_for(
                clock.policy_version
            )
        return policy


def target_duration(
    policy: ServicePolicy, target: str, *, priority: str = "", severity: str = ""
) -> Duration:
    """The duration of `target` for a case of `priority` (a complaint of `severity`): the
    policy's override for it where there is one, else the channel's own."""
    return policy.target(target, priority=priority or None, severity=severity or None)


def clock_duration(policy: ServicePolicy, clock: Clock) -> Duration:
    """The duration of the clock's target on the terms it runs on (its priority or severity)."""
    return target_duration(policy, clock.target, priority=clock.priority, severity=clock.severity)


def clock_calendar(policy: ServicePolicy, clock: Clock) -> Calendar:
    """The calendar whose hours count for the clock: its named calendar, else [calendar]."""
    return policy.calendar_named(clock.calendar) if clock.calendar else policy.calendar


def warning_time(
    calendar: Calendar, duration: Duration, started_at: datetime, due_at: datetime
) -> datetime | None:
    """When SLA_WARNING_FRACTION of the target has gone; None when that is not before due."""
    warn_at = calendar.warning_at(duration, started_at, due_at, settings.SLA_WARNING_FRACTION)
    return warn_at if warn_at < due_at else None


def time_left_at_warning(
    calendar: Calendar, duration: Duration, started_at: datetime
) -> float | None:
    """What is left of the target when its warning comes, in the measure `calendar.remaining`
    uses (service seconds for service time, elapsed seconds otherwise); None without a
    warning. A resumed clock warns when this much is left again."""
    due_at = calendar.due(duration, started_at)
    warn_at = warning_time(calendar, duration, started_at, due_at)
    return None if warn_at is None else calendar.remaining(duration, warn_at, due_at)


def escalation_time(policy: ServicePolicy, clock: Clock, level: int) -> datetime:
    """When level `level` (1 is the first [[escalation]]) fires: its `after` in the time measure
    of the clock's calendar, counted from the breach (the clock's due time)."""
    return clock_calendar(policy, clock).due(policy.escalation[level - 1].after, clock.due_at)


def next_check_time(policy: ServicePolicy, clock: Clock) -> datetime | None:
    """When a running clock next needs looking at: its warning (unless given), its due time,
    then each escalation level not yet fired; None when nothing is left to happen."""
    if clock.state != ClockState.RUNNING:
        return None
    if clock.outcome == ClockOutcome.PENDING:
        if clock.warned_at is None and clock.warn_at is not None and clock.warn_at < clock.due_at:
            return clock.warn_at
        return clock.due_at
    if clock.outcome == ClockOutcome.BREACHED and clock.escalation_level < len(policy.escalation):
        return escalation_time(policy, clock, clock.escalation_level + 1)
    return None


def schedule_check(clock: Clock) -> None:
    """After commit, a `check_clock` task at the due time of a running clock due within
    SLA_SCHEDULE_TASK_WITHIN_SECONDS; the sweep covers the rest (and this task, if it is lost)."""
    if clock.state != ClockState.RUNNING or clock.outcome != ClockOutcome.PENDING:
        return
    if (clock.due_at - timezone.now()).total_seconds() > settings.SLA_SCHEDULE_TASK_WITHIN_SECONDS:
        return
    clock_id, eta = clock.pk, clock.due_at
    transaction.on_commit(
        lambda: current_app.signature(CHECK_CLOCK_TASK, args=[clock_id]).apply_async(eta=eta),
        robust=True,
    )


def case_label(clock: Clock) -> str:
    """What people call the clock's case ("Ticket #1000", "Chat with Tom Baker")."""
    return case_links([clock])[case_key(clock)].label


def case_url(clock: Clock) -> str:
    """The page that opens the clock's case, as its app registered it (`sla_registry`)."""
    return case_links([clock])[case_key(clock)].url


def local_time(at: datetime, zone: tzinfo | None = None) -> str:
    """`at` in the server's time zone (or `zone`), as notifications print it."""
    return at.astimezone(zone or timezone.get_current_timezone()).strftime("%d %b %Y %H:%M %Z")
