"""A reopened case runs its targets again: a new round of clocks.

A clock is one target on one case in one round (`Clock.round`). The case's first clocks are round
1 (`start_clocks`); when a resolved or closed case is reopened, the channel says which targets
apply again and `restart_clocks_for` starts each in the next round. The clocks of earlier rounds
stay as they ended (met or breached), so the reports count every round.
"""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from helpdesk.models import Clock, PolicyVersion
from helpdesk.models.sla import ClockState
from helpdesk.services.policy import ensure_policy_in_force

from .clocks import new_clock
from .common import schedule_check


def latest_clocks(*, case: models.Model, targets: Iterable[str] | None = None) -> dict[str, Clock]:
    """The clock of the latest round of each target of `case` (of `targets`, if given)."""
    clocks = Clock.objects.filter(
        case_type=ContentType.objects.get_for_model(case), case_id=case.pk
    )
    if targets is not None:
        clocks = clocks.filter(target__in=list(targets))
    return {clock.target: clock for clock in clocks.order_by("target", "round")}


@transaction.atomic(savepoint=False)
def restart_clocks_for(
    *,
    case: models.Model,
    targets: Iterable[str],
    at: datetime | None = None,
    assignee=None,
    policy_version: PolicyVersion | None = None,
) -> list[Clock]:
    """Start `targets` again on the reopened `case` at `at`; returns the clock now counting for
    each target, in the order of `targets`.

    Rules: a target whose latest clock is stopped starts a new clock at `at`, its round one more
    than that clock's; a target whose latest clock still runs (or is paused) keeps it, so a
    reopening never starts a target twice; a target never started starts round 1. The new
    clocks are computed with `policy_version` (the version the case opened under), else the
    version of the target's previous clock, else the version in force at `at`: `due_at` is the
    target's time from `at`. Earlier rounds are left as they ended. Two reopenings at once
    start one round (the unique constraint on case, target and round decides).
    """
    targets = list(dict.fromkeys(targets))
    if not targets:
        return []
    at = at or timezone.now()
    case_type = ContentType.objects.get_for_model(case)
    latest: dict[str, Clock] = {}
    locked = (
        Clock.objects.select_for_update(of=("self",))
        .filter(case_type=case_type, case_id=case.pk, target__in=targets)
        .select_related("policy_version")
        .order_by("target", "round")
    )
    for clock in locked:
        latest[clock.target] = clock
    new: list[Clock] = []
    for target in targets:
        previous = latest.get(target)
        if previous is not None and previous.state != ClockState.STOPPED:
            continue
        version = policy_version or (
            previous.policy_version if previous is not None else ensure_policy_in_force(now=at)
        )
        new.append(
            new_clock(
                case=case,
                target=target,
                started_at=at,
                version=version,
                case_type=case_type,
                round=previous.round + 1 if previous is not None else 1,
                assignee=assignee,
            )
        )
    if new:
        try:
            with transaction.atomic():
                Clock.objects.bulk_create(new)
        except IntegrityError:  # reopened at the same moment elsewhere: that round stands
            found = latest_clocks(case=case, targets=targets)
            return [found[t] for t in targets if t in found]
        for clock in new:
            schedule_check(clock)
            latest[clock.target] = clock
    return [latest[t] for t in targets]
