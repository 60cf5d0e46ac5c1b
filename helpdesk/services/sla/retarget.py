"""A case's priority (a complaint's severity) changes while its targets run: the running clocks
take the new durations (POLICY.md, "Targets by priority")."""

from dataclasses import dataclass
from datetime import datetime, tzinfo

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy import PRIORITIES, SEVERITIES
from helpdesk.policy.model import CHANNELS

from .breach import advance_clocks
from .common import (
    PolicyCache,
    clock_calendar,
    clock_duration,
    local_time,
    next_check_time,
    schedule_check,
    time_left_at_warning,
    warning_time,
)


@dataclass(frozen=True)
class Retargeted:
    """One clock whose target changed: due `was_due` before, `due` now (None: a paused clock,
    whose due time is set when it resumes, with the new time left)."""

    clock: Clock
    was_due: datetime
    due: datetime | None
    zone: tzinfo  # the clock's calendar's: the times as the policy states them

    def __str__(self) -> str:
        if self.due is None:
            return f"{self.clock.target}: paused; the new time left counts when it resumes"
        return (
            f"{self.clock.target} due {local_time(self.due, self.zone)}"
            f" (was {local_time(self.was_due, self.zone)})"
        )


def retarget_note(changes: list[Retargeted]) -> str:
    """The changes for a case's timeline, one target a line."""
    return "\n".join(str(change) for change in changes)


def retarget_clocks_for(
    *,
    case: models.Model,
    priority: str | None = None,
    severity: str | None = None,
    at: datetime | None = None,
) -> list[Retargeted]:
    """The case's priority (channel targets) or severity (complaint targets) became `priority`
    / `severity` at `at`: each clock still counting takes that level's duration.

    Rules: only a clock still pending is computed again (met, breached or cancelled clocks
    stay as they ended); whatever fell due by `at` under the old terms is recorded first. The
    new due time counts from the clock's start, under the clock's own policy version and
    calendar, with the new duration; paused time never counts: the time used so far stays
    used, and what is left grows or shrinks by the difference between the two durations (a
    target the case has already outrun becomes due at once, or at the moment it passed when
    the clock never paused). The warning moves the same way unless it was given; a paused
    clock keeps its new time left for when it resumes. A check task is scheduled for the new
    due time as at the start; one scheduled before finds nothing to do. Returns the clocks
    whose due time changed; the caller puts them on the case's timeline (`retarget_note`).
    """
    if priority is not None and priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r}")
    if severity is not None and severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    at = at or timezone.now()
    changes: list[Retargeted] = []
    with transaction.atomic(savepoint=False):
        clocks = (
            Clock.objects.select_for_update(of=("self",))
            .filter(case_type=ContentType.objects.get_for_model(case), case_id=case.pk)
            .exclude(state=ClockState.STOPPED)
            .order_by("pk")
        )
        policies = PolicyCache()
        for clock in clocks:
            section = clock.target.partition(".")[0]
            if priority is not None and section in CHANNELS:
                terms = {"priority": priority}
            elif severity is not None and section == "complaints":
                terms = {"severity": severity}
            else:
                continue
            if clock.next_check_at is not None and clock.next_check_at <= at:
                advance_clocks([clock], now=at, policies=policies)
            if clock.outcome != ClockOutcome.PENDING:
                continue
            change = _retarget(clock, terms, at=at, policies=policies)
            if change is not None:
                changes.append(change)
    return changes


def _retarget(
    clock: Clock, terms: dict[str, str], *, at: datetime, policies: PolicyCache
) -> Retargeted | None:
    policy = policies.of(clock)
    calendar = clock_calendar(policy, clock)
    old = clock_duration(policy, clock)
    for name, value in terms.items():
        setattr(clock, name, value)
    new = clock_duration(policy, clock)
    fields = [*terms, "updated_at"]
    if new == old:
        clock.save(update_fields=fields)
        return None
    start = clock.started_at

    def whole(duration):  # the whole target, in the measure `calendar.remaining` uses
        return calendar.remaining(duration, start, calendar.due(duration, start))

    growth = whole(new) - whole(old)
    was_due = clock.due_at
    if clock.state == ClockState.PAUSED:
        clock.remaining_at_pause = max(0.0, (clock.remaining_at_pause or 0.0) + growth)
        clock.save(update_fields=[*fields, "remaining_at_pause"])
        return Retargeted(clock, was_due, None, calendar.zone)
    if not clock.paused_seconds:  # never paused: exactly as if it had started on these terms
        clock.due_at = calendar.due(new, start)
        if clock.warned_at is None:
            clock.warn_at = warning_time(calendar, new, start, clock.due_at)
    else:
        left = calendar.remaining(old, at, was_due) + growth
        clock.due_at = calendar.resume(new, at, left) if left > 0 else at
        if clock.warned_at is None:
            at_warning = time_left_at_warning(calendar, new, start)
            if at_warning is None or left <= 0:
                clock.warn_at = None
            elif left > at_warning:
                clock.warn_at = calendar.resume(new, at, left - at_warning)
            else:
                clock.warn_at = at
    if clock.warn_at is not None and clock.warn_at >= clock.due_at:
        clock.warn_at = None
    clock.next_check_at = next_check_time(policy, clock)
    clock.save(update_fields=[*fields, "due_at", "warn_at", "next_check_at"])
    schedule_check(clock)
    return Retargeted(clock, was_due, clock.due_at, calendar.zone)
