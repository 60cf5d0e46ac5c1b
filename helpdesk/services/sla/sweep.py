"""The sweep: every clock whose moment has come, found with one indexed query per batch.

Celery beat runs it every SLA_SWEEP_SECONDS. It is the safety net under the tasks scheduled at
each due time: a lost task, a clock due beyond the scheduling window, a warning or a later
escalation level are all picked up here, through the same `advance_clocks` as `check_clock`.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from helpdesk.models import Clock
from helpdesk.selectors.sla import clocks_due_query

from .breach import advance_clocks
from .common import PolicyCache


@dataclass
class SweepReport:
    batches: int = 0
    clocks: int = 0
    warned: int = 0
    breached: int = 0
    escalations: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def sweep_clocks(*, now: datetime | None = None, batch_size: int | None = None) -> SweepReport:
    """Advance every running clock whose `next_check_at` has come by `now`.

    Rules: clocks are taken oldest moment first in batches of SLA_SWEEP_BATCH_SIZE, each found
    and locked by one query on the partial index `clock_running_next_check` and advanced in its
    own transaction, so locks are held briefly and a failure loses one batch's work, not the
    sweep's. A clock locked by a `check_clock` task (or another sweep) at that moment is
    skipped: the lock holder is recording the same thing. Queries grow with the number of
    batches, never with the number of running clocks.
    """
    now = now or timezone.now()
    size = batch_size or settings.SLA_SWEEP_BATCH_SIZE
    policies = PolicyCache()
    report = SweepReport()
    after = None
    while True:
        taken, after = _sweep_batch(
            now=now, after=after, size=size, policies=policies, report=report
        )
        if taken < size:
            return report


# What advance_clocks never reads or writes: the sweep leaves it unloaded (fewer datetimes to
# parse; `stopped_at` is written when a due handler keeps a target).
_SWEEP_DEFERRED = ("started_at", "paused_at", "paused_seconds", "remaining_at_pause")


def clocks_to_sweep(
    *, now: datetime, after: tuple[datetime, int] | None = None, size: int
) -> QuerySet[Clock]:
    """The next batch: due clocks on the partial index, oldest first, locked (FOR UPDATE SKIP
    LOCKED, inside the caller's transaction)."""
    return (
        clocks_due_query(now=now, after=after)
        .select_for_update(of=("self",), skip_locked=True)
        .defer(*_SWEEP_DEFERRED)[:size]
    )


@transaction.atomic
def _sweep_batch(
    *,
    now: datetime,
    after: tuple[datetime, int] | None,
    size: int,
    policies: PolicyCache,
    report: SweepReport,
) -> tuple[int, tuple[datetime, int] | None]:
    """Find, lock and advance the next `size` due clocks with one query; return how many were
    taken and where the next batch starts (keyset: next_check_at, id)."""
    clocks = list(clocks_to_sweep(now=now, after=after, size=size))
    if not clocks:
        return 0, after
    last = (clocks[-1].next_check_at, clocks[-1].pk)
    done = advance_clocks(clocks, now=now, policies=policies)
    report.batches += 1
    report.clocks += done.clocks
    report.warned += len(done.warned)
    report.breached += len(done.breached)
    report.escalations += len(done.escalations)
    report.notifications += done.notifications
    return len(clocks), last
