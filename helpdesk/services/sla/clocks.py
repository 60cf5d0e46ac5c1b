"""Starting, pausing, resuming and stopping SLA clocks on any case.

A case is any saved model instance (a ticket, a chat, a complaint); a clock is one target of
the policy on it. Each clock keeps the policy version it started under and is always computed
with that version's policy, never a newer one.
"""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from helpdesk.models import Clock, PolicyVersion
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy import PRIORITIES, SEVERITIES
from helpdesk.services.policy import ensure_policy_in_force, service_policy_for

from .breach import advance_clocks
from .common import (
    PolicyCache,
    clock_calendar,
    clock_duration,
    next_check_time,
    schedule_check,
    time_left_at_warning,
    warning_time,
)


def _clocks_of(case: models.Model) -> models.QuerySet[Clock]:
    return Clock.objects.filter(case_type=ContentType.objects.get_for_model(case), case_id=case.pk)


def _lock(clock: Clock) -> Clock:
    """The clock as it is now in the database, locked until the transaction ends."""
    return Clock.objects.select_for_update(of=("self",)).get(pk=clock.pk)


def case_terms(case: models.Model) -> dict[str, str]:
    """The terms a target runs on for `case`, read from the attributes a case may have: its
    `priority`, its `severity` (a complaint) and its `team`'s calendar; blank when it has none.
    (Reading the team costs a query unless the case already holds it.)"""
    team = getattr(case, "team", None) if getattr(case, "team_id", None) else None
    priority, severity = getattr(case, "priority", ""), getattr(case, "severity", "")
    return {
        "priority": priority if priority in PRIORITIES else "",
        "severity": severity if severity in SEVERITIES else "",
        "calendar": getattr(team, "calendar", "") or "",
    }


def new_clock(
    *,
    case: models.Model,
    target: str,
    started_at: datetime,
    version: PolicyVersion,
    case_type: ContentType | None = None,
    round: int = 1,
    assignee=None,
    met: bool = False,
) -> Clock:
    """The clock of `target` on `case` starting at `started_at` under policy `version`, not yet
    saved: the one place a clock is built (`start_clock`, `start_clocks`,
    `restart_clocks_for`).

    Rules: the target's duration is the one the policy sets for the case's priority (a
    complaint's: its severity), else the channel's own; the hours that count are those of the
    case's team's calendar when the version has it, else the policy's [calendar] (a version
    that no longer names the team's calendar must not stop a case opening). `due_at` is the
    duration from `started_at` on that calendar, `warn_at` when SLA_WARNING_FRACTION of it has
    gone (None if not before due), `next_check_at` the earlier of the two. A `met` clock is
    done the moment it starts: stopped and met at `started_at`, never checked. An unknown
    target, or one the policy does not set, raises `UnknownTarget`.
    """
    policy = service_policy_for(version)
    terms = case_terms(case)
    if terms["calendar"] and terms["calendar"] not in policy.calendar_names():
        terms["calendar"] = ""
    clock = Clock(
        case_type=case_type or ContentType.objects.get_for_model(case),
        case_id=case.pk,
        target=target,
        round=round,
        policy_version=version,
        started_at=started_at,
        assignee=assignee,
        **terms,
    )
    duration = clock_duration(policy, clock)
    calendar = clock_calendar(policy, clock)
    clock.due_at = calendar.due(duration, started_at)
    clock.warn_at = warning_time(calendar, duration, started_at, clock.due_at)
    if met:
        clock.state, clock.outcome = ClockState.STOPPED, ClockOutcome.MET
        clock.stopped_at = started_at
    clock.next_check_at = next_check_time(policy, clock)
    return clock


@transaction.atomic
def start_clock(
    *,
    case: models.Model,
    target: str,
    started_at: datetime | None = None,
    assignee=None,
) -> Clock:
    """Start the clock of `target` ("chat.first_response") on `case`.

    Rules: one clock per case and target; starting it again returns the existing clock (of the
    latest round, see `restart_clocks_for`) as it is. The clock records the policy version in
    force at `started_at` (publishing the project's policy file first if no version exists);
    `due_at` comes from that policy's calendar, `warn_at` is when SLA_WARNING_FRACTION of the
    target has gone (None if not before due), `next_check_at` the earlier of the two. A clock
    due within SLA_SCHEDULE_TASK_WITHIN_SECONDS also gets a `check_clock` task at its due time,
    sent after commit. An unknown target, or one the policy does not set, raises
    `UnknownTarget`.
    """
    existing = _clocks_of(case).filter(target=target).order_by("-round").first()
    if existing is not None:
        return existing
    started_at = started_at or timezone.now()
    version = ensure_policy_in_force(now=started_at)
    clock = new_clock(
        case=case, target=target, started_at=started_at, version=version, assignee=assignee
    )
    try:
        with transaction.atomic():
            clock.save()
    except IntegrityError:  # started at the same moment elsewhere: that one stands
        return _clocks_of(case).filter(target=target).order_by("-round").first()
    schedule_check(clock)
    return clock


@transaction.atomic(savepoint=False)
def start_clocks(
    *,
    case: models.Model,
    targets: Iterable[str],
    started_at: datetime | None = None,
    assignee=None,
    policy_version: PolicyVersion | None = None,
    new_case: bool = False,
    met: Iterable[str] = (),
) -> list[Clock]:
    """Start the clocks of `targets` on `case` at once, as `start_clock` starts each (same rules),
    reading the policy version in force once and saving the new clocks together. Returns the
    clocks in the order of `targets` (those already started as they are).

    A caller that has just read the version in force at `started_at` passes it
    (`policy_version`); one that has just created `case` in this transaction says so
    (`new_case`): it has no clock yet, and none can start elsewhere, so nothing is looked up.
    The targets of `met` are done the moment they start (an acknowledgement written with the
    opening): their clocks start stopped and met, as `stop_clock` at `started_at` leaves them."""
    targets = list(dict.fromkeys(targets))
    if not targets:
        return []
    case_type = ContentType.objects.get_for_model(case)
    existing: dict[str, Clock] = {}
    if not new_case:  # (a case created by this transaction has none)
        existing = {
            c.target: c
            for c in Clock.objects.filter(
                case_type=case_type, case_id=case.pk, target__in=targets
            ).order_by("round")  # the latest round of each target last, so it is the one kept
        }
    started_at = started_at or timezone.now()
    missing = [t for t in targets if t not in existing]
    if missing:
        version = policy_version or ensure_policy_in_force(now=started_at)
        new = [
            new_clock(
                case=case,
                target=target,
                started_at=started_at,
                version=version,
                case_type=case_type,
                assignee=assignee,
                met=target in met,
            )
            for target in missing
        ]
        try:
            with transaction.atomic(savepoint=not new_case):
                Clock.objects.bulk_create(new)
        except IntegrityError:  # some started at the same moment elsewhere: one at a time
            return [
                start_clock(case=case, target=t, started_at=started_at, assignee=assignee)
                for t in targets
            ]
        for clock in new:
            schedule_check(clock)
            existing[clock.target] = clock
    return [existing[t] for t in targets]


@transaction.atomic
def pause_clock(*, clock: Clock, at: datetime | None = None) -> Clock:
    """Pause a running clock at `at` (a ticket waiting on the customer).

    Rules: whatever fell due by `at` (warning, breach, escalation) is recorded first; then what
    is left of the target is kept (`calendar.remaining`: service seconds for service time, so a
    pause outside service hours loses nothing), the clock is not checked while paused, and
    `due_at` stays as it was until it resumes. A clock not running is returned unchanged.
    """
    at = at or timezone.now()
    clock = _lock(clock)
    if clock.state != ClockState.RUNNING:
        return clock
    policies = PolicyCache()
    if clock.next_check_at is not None and clock.next_check_at <= at:
        advance_clocks([clock], now=at, policies=policies)
    policy = policies.of(clock)
    clock.remaining_at_pause = clock_calendar(policy, clock).remaining(
        clock_duration(policy, clock), at, clock.due_at
    )
    clock.state = ClockState.PAUSED
    clock.paused_at = at
    clock.next_check_at = None
    clock.save(
        update_fields=["remaining_at_pause", "state", "paused_at", "next_check_at", "updated_at"]
    )
    return clock


@transaction.atomic
def resume_clock(*, clock: Clock, at: datetime | None = None) -> Clock:
    """Resume a paused clock at `at`.

    Rules: paused time never counts. A pending clock becomes due when the time left at the pause
    has run again from `at` (`calendar.resume`: resuming outside service hours starts at the
    next opening), and its warning moves the same way unless it was already given; a breached
    clock keeps its due time and goes on to its next escalation level. The elapsed pause is
    added to `paused_seconds`, and a task is scheduled as at the start. A clock not paused is
    returned unchanged.
    """
    at = at or timezone.now()
    clock = _lock(clock)
    if clock.state != ClockState.PAUSED:
        return clock
    at = max(at, clock.paused_at)
    policy = PolicyCache().of(clock)
    if clock.outcome == ClockOutcome.PENDING:
        duration, calendar = clock_duration(policy, clock), clock_calendar(policy, clock)
        left = clock.remaining_at_pause or 0.0
        clock.due_at = calendar.resume(duration, at, left)
        if clock.warned_at is None:
            # The warning comes when as much is left as was left at the unpaused warning.
            left_at_warning = time_left_at_warning(calendar, duration, clock.started_at)
            if left_at_warning is None:
                clock.warn_at = None
            elif left > left_at_warning:
                clock.warn_at = calendar.resume(duration, at, left - left_at_warning)
            else:
                clock.warn_at = at
            if clock.warn_at is not None and clock.warn_at >= clock.due_at:
                clock.warn_at = None
    clock.paused_seconds += (at - clock.paused_at).total_seconds()
    clock.state = ClockState.RUNNING
    clock.paused_at = None
    clock.remaining_at_pause = None
    clock.next_check_at = next_check_time(policy, clock)
    clock.save()
    schedule_check(clock)
    return clock


@transaction.atomic
def stop_clock(*, clock: Clock, at: datetime | None = None) -> Clock:
    """Stop a clock at `at`: the target was done (answered, acknowledged, resolved).

    Rules: stopped at or before `due_at` and not already breached, the target is met; a paused
    clock's deadline never came, so it is met too. Stopped after `due_at`, the breach is
    recorded first, with the escalation levels due by `at`, exactly as the sweep would have;
    a breached clock stays breached. Stopping a stopped clock changes nothing.
    """
    return _stop_locked(_lock(clock), at=at or timezone.now())


def _stop_locked(clock: Clock, *, at: datetime) -> Clock:
    """`stop_clock` on a clock already locked by this transaction."""
    if clock.state == ClockState.STOPPED:
        return clock
    if clock.state == ClockState.RUNNING and clock.due_at < at:
        # The stop is what was done (an agent's late reply): no due handler does it as well.
        advance_clocks([clock], now=at, policies=PolicyCache(), keep_due=False)
    if clock.outcome == ClockOutcome.PENDING:
        clock.outcome = ClockOutcome.MET
    if clock.state == ClockState.PAUSED:
        clock.paused_seconds += max(0.0, (at - clock.paused_at).total_seconds())
        clock.paused_at = None
    clock.state = ClockState.STOPPED
    clock.stopped_at = at
    clock.next_check_at = None
    clock.save()
    return clock


def stop_clocks_for(
    *, case: models.Model, targets: Iterable[str] | None = None, at: datetime | None = None
) -> list[Clock]:
    """Stop every clock of `case` not yet stopped (only those of `targets`, if given), each as
    `stop_clock` does, in one transaction."""
    at = at or timezone.now()
    with transaction.atomic(savepoint=False):
        clocks = _clocks_of(case).select_for_update(of=("self",)).exclude(state=ClockState.STOPPED)
        if targets is not None:
            clocks = clocks.filter(target__in=list(targets))
        return [_stop_locked(clock, at=at) for clock in clocks.order_by("pk")]


def cancel_clocks_for(
    *,
    case: models.Model,
    reason: str,
    targets: Iterable[str] | None = None,
    at: datetime | None = None,
) -> list[Clock]:
    """End every clock of `case` not yet stopped (only those of `targets`, if given) as
    cancelled with `reason`: the target stopped applying and was neither met nor missed (a chat
    left as a message, a customer gone before anyone answered).

    Rules: a clock whose due time passed before `at` breached first, with the escalation levels
    due by `at`, exactly as the sweep would have, and stays breached (a missed promise is never
    rewritten, but it keeps the reason: it ended unanswered, not late); only a pending clock
    becomes cancelled. Stopped clocks are unchanged.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a cancelled clock needs a reason")
    at = at or timezone.now()
    with transaction.atomic(savepoint=False):
        clocks = _clocks_of(case).select_for_update(of=("self",)).exclude(state=ClockState.STOPPED)
        if targets is not None:
            clocks = clocks.filter(target__in=list(targets))
        ended = []
        for clock in clocks.order_by("pk"):
            if clock.state == ClockState.RUNNING and clock.due_at < at:
                advance_clocks([clock], now=at, policies=PolicyCache())
            if clock.outcome == ClockOutcome.PENDING:
                clock.outcome = ClockOutcome.CANCELLED
            # Kept on a breached clock too: it stopped unanswered, not late (reports).
            clock.cancel_reason = reason[:200]
            ended.append(_stop_locked(clock, at=at))
        return ended


@transaction.atomic
def assign_clocks_for(*, case: models.Model, assignee, targets: Iterable[str] | None = None) -> int:
    """Make `assignee` (a user, or None) answerable for the open clocks of `case` (only those
    of `targets`, if given); returns how many changed. Escalations already fired stay as they
    were; the next ones reach the new assignee's supervisor."""
    clocks = _clocks_of(case).exclude(state=ClockState.STOPPED)
    if targets is not None:
        clocks = clocks.filter(target__in=list(targets))
    return clocks.update(assignee=assignee, updated_at=timezone.now())
