"""The breach service: warnings, breaches and escalation levels, each recorded once.

`advance_clocks` is the one place these rules live; the `check_clock` task (one clock, at its
due time) and the sweep (every clock whose moment has come, in batches) both call it with the
clocks locked, so whichever runs first does the work and the other finds nothing left to do.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone

from helpdesk import sla_registry
from helpdesk.models import Clock, ClockEscalation, Role
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy.labels import target_label
from helpdesk.selectors.cases import case_key, case_links
from helpdesk.selectors.sla import escalation_recipients
from helpdesk.services.bulk import insert_rows, update_rows
from helpdesk.services.notifications import NewNotification, create_notifications

from .common import (
    PolicyCache,
    escalation_time,
    local_time,
    next_check_time,
)

logger = logging.getLogger(__name__)

WARNING_KIND = "sla.warning"
ESCALATION_KIND = "sla.escalation"
# A target kept by its due handler (sla_registry.on_due) is met when kept within this of its
# due time: the task at the due time, or the sweep (every SLA_SWEEP_SECONDS), runs that soon.
# Kept later (the workers were down), the customer still hears from us, but the clock says the
# promise was missed.
KEPT_ON_TIME_WITHIN = timedelta(minutes=1)

# The columns advance_clocks may change, written back in one statement per call.
_ADVANCED_FIELDS = [
    "warned_at",
    "state",
    "stopped_at",
    "outcome",
    "breached_at",
    "escalation_level",
    "next_check_at",
    "updated_at",
]


@dataclass
class Advanced:
    """What one call of advance_clocks recorded."""

    clocks: int = 0
    warned: list[Clock] = field(default_factory=list)
    breached: list[Clock] = field(default_factory=list)
    kept: list[Clock] = field(default_factory=list)  # by their due handler, on time or late
    escalations: list[tuple[int, int, str]] = field(default_factory=list)  # clock, level, role
    notifications: int = 0


def advance_clocks(
    clocks: list[Clock], *, now: datetime, policies: PolicyCache, keep_due: bool = True
) -> Advanced:
    """Record, for each running clock, what has fallen due by `now`, each thing once.

    Rules, per clock and in this order, each under the clock's own policy version:
    - the warning, once, when `warn_at` has come but not yet `due_at`: `warned_at` is set and
      the assignee is notified (a clock first seen past due gets no warning, only its breach);
    - when the outcome is still pending and `due_at` has come, a target with a due handler
      (`sla_registry.on_due`; not when `keep_due` is False: the caller stops the clock itself)
      is kept by it, once: kept within KEPT_ON_TIME_WITHIN of `due_at`, the clock stops as met
      at `now`; kept later, it breaches (below) and then stops at `now`;
    - the breach, once, when the outcome is still pending and `due_at` has come: the outcome
      becomes breached with `breached_at = due_at` (the moment the promise was missed);
    - then each `[[escalation]]` level in order whose time (`after` counted from the breach in
      the policy's time measure) has come: a `ClockEscalation` row (unique per clock and level)
      and a notification to the role it names (see `Recipients.for_role`);
    - `next_check_at` becomes the next of those moments still ahead, or None.
    Breach and warning handlers of the registry run after commit.

    The caller holds the transaction and the clocks' row locks. The number of queries does not
    depend on the number of clocks: every read and write here is one statement for the lot.
    """
    done = Advanced(clocks=len(clocks))
    policies.load(clocks)
    changed: list[Clock] = []
    fired: list[tuple[Clock, int, str]] = []  # (clock, level, role)
    for clock in clocks:
        if clock.state != ClockState.RUNNING:
            continue
        before = (clock.warned_at, clock.outcome, clock.escalation_level, clock.next_check_at)
        policy = policies.of(clock)
        kept: bool | None = False
        if clock.outcome == ClockOutcome.PENDING:
            if keep_due and clock.due_at <= now:
                kept = _kept_when_due(clock, now)
                if kept is None:  # its case is busy: the next sweep comes back to it
                    continue
            if kept:
                done.kept.append(clock)
            if kept and now - clock.due_at <= KEPT_ON_TIME_WITHIN:
                clock.outcome = ClockOutcome.MET
            elif clock.due_at <= now:
                clock.outcome = ClockOutcome.BREACHED
                clock.breached_at = clock.due_at
                done.breached.append(clock)
            elif clock.warned_at is None and clock.warn_at is not None and clock.warn_at <= now:
                clock.warned_at = now
                done.warned.append(clock)
        if clock.outcome == ClockOutcome.BREACHED:
            levels = policy.escalation
            while clock.escalation_level < len(levels):
                level = clock.escalation_level + 1
                if escalation_time(policy, clock, level) > now:
                    break
                fired.append((clock, level, levels[level - 1].notify))
                clock.escalation_level = level
        if kept:  # the promise was kept (on time or late): nothing more can happen to it
            clock.state, clock.stopped_at = ClockState.STOPPED, now
        clock.next_check_at = next_check_time(policy, clock)
        if before != (clock.warned_at, clock.outcome, clock.escalation_level, clock.next_check_at):
            clock.updated_at = now
            changed.append(clock)
    if not changed:
        return done

    recipients = escalation_recipients(
        assignee_ids={c.assignee_id for c in done.warned} | {c.assignee_id for c, _, _ in fired},
        roles={role for _, _, role in fired},
    )
    zone = timezone.get_current_timezone()
    # Each case named as people call it ("Ticket #1000"), in one query per kind of case.
    cases = case_links([*done.warned, *(clock for clock, _, _ in fired)])
    notifications: list[NewNotification] = []
    for clock in done.warned:
        case = cases[case_key(clock)]
        message = (
            f"Due soon: {target_label(clock.target)} on {case.label} is due "
            f"{local_time(clock.due_at, zone)}."
        )
        for user_id in recipients.for_role(Role.AGENT, clock.assignee_id):
            notifications.append(
                NewNotification(user_id, WARNING_KIND, message, clock.pk, case.url)
            )
    for clock, level, role in fired:
        done.escalations.append((clock.pk, level, role))
        assignee = recipients.usernames.get(clock.assignee_id, "nobody")
        case = cases[case_key(clock)]
        message = (
            f"SLA breached: {target_label(clock.target)} on {case.label} was due "
            f"{local_time(clock.due_at, zone)} (escalation level {level}, assigned to {assignee})."
        )
        for user_id in dict.fromkeys(recipients.for_role(role, clock.assignee_id)):
            notifications.append(
                NewNotification(user_id, ESCALATION_KIND, message, clock.pk, case.url)
            )

    update_rows(Clock, _ADVANCED_FIELDS, [_advanced_values(c) for c in changed])
    # The unique (clock, level) constraint is the last guard: a second firing is an error that
    # rolls the whole batch back rather than a second notification.
    insert_rows(
        ClockEscalation,
        ("clock_id", "level", "notified_role", "fired_at"),
        [(*escalation, now) for escalation in done.escalations],
    )
    create_notifications(notifications=notifications, now=now)
    done.notifications = len(notifications)
    _dispatch_after_commit(sla_registry.WARNING, done.warned)
    _dispatch_after_commit(sla_registry.BREACH, done.breached)
    return done


def _kept_when_due(clock: Clock, now: datetime) -> bool | None:
    """Whether the target's due handler kept it now (None: not now, its case is busy); its
    errors are logged and its writes undone (a savepoint), and the clock breaches as if it had
    none."""
    handler = sla_registry.due_handler_for(clock.target)
    if handler is None:
        return False
    try:
        with transaction.atomic():
            return bool(handler(clock, now))
    except sla_registry.NotNow:
        return None
    except Exception:
        logger.exception("SLA due handler %r failed for clock %s", handler, clock.pk)
        return False


def _advanced_values(clock: Clock) -> tuple:
    return (clock.pk, *(getattr(clock, name) for name in _ADVANCED_FIELDS))


def _dispatch_after_commit(event: str, clocks: list[Clock]) -> None:
    # One callback for the lot: batch handlers (the webhook events) then build what they send
    # for every clock together, instead of a few queries per clock.
    reacting = [clock for clock in clocks if sla_registry.has_handlers(event, clock.target)]
    if reacting:
        transaction.on_commit(partial(sla_registry.dispatch_many, event, reacting), robust=True)


@transaction.atomic
def check_clock(*, clock_id: int, now: datetime | None = None) -> Clock | None:
    """Record whatever has fallen due on one clock by `now` (see `advance_clocks`).

    Safe to run any number of times, and at the same time as the sweep: the clock is locked,
    and a stopped or paused clock, or one with nothing due, is left as it is. Returns the clock,
    or None when it no longer exists.
    """
    now = now or timezone.now()
    clock = Clock.objects.select_for_update(of=("self",)).filter(pk=clock_id).first()
    if clock is not None and clock.state == ClockState.RUNNING:
        advance_clocks([clock], now=now, policies=PolicyCache())
    return clock
