"""Reports over the SLA clocks of every channel: compliance by target and channel, and first
response times. A clock belongs to the period in which it started; every round of a target
counts (a reopened case's new clocks as well as the ones it ran before it was resolved). A
cancelled clock (its target stopped applying, `cancel_clocks_for`) is neither met nor breached:
counted apart, out of % met, and its stop is no first response."""

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from django.db.models import Count, Q

from helpdesk.models import Clock
from helpdesk.models.sla import ClockOutcome, ClockState

FIRST_RESPONSE = "first_response"


@dataclass(frozen=True)
class Compliance:
    target: str
    channel: str
    met: int
    breached: int
    running: int
    cancelled: int = 0

    @property
    def percent_met(self) -> float | None:
        """Met among the decided (met or breached); None when none is decided yet."""
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None


@dataclass(frozen=True)
class ResponseTimes:
    channel: str
    count: int
    median_seconds: float | None
    p90_seconds: float | None


def _period(start: datetime, end: datetime):
    return Clock.objects.filter(started_at__gte=start, started_at__lt=end)


def sla_compliance(*, start: datetime, end: datetime) -> list[Compliance]:
    """Per target: clocks met, breached, still running (undecided) and cancelled, one query."""
    rows = (
        _period(start, end)
        .order_by()
        .values("target")
        .annotate(
            met=Count("pk", filter=Q(outcome=ClockOutcome.MET)),
            breached=Count("pk", filter=Q(outcome=ClockOutcome.BREACHED)),
            running=Count("pk", filter=Q(outcome=ClockOutcome.PENDING)),
            cancelled=Count("pk", filter=Q(outcome=ClockOutcome.CANCELLED)),
        )
        .order_by("target")
    )
    return [
        Compliance(
            target=row["target"],
            channel=row["target"].split(".", 1)[0],
            met=row["met"],
            breached=row["breached"],
            running=row["running"],
            cancelled=row["cancelled"],
        )
        for row in rows
    ]


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    rank = max(1, -(-int(fraction * 100) * len(values) // 100))
    return values[min(rank, len(values)) - 1]


def first_response_times(*, start: datetime, end: datetime) -> list[ResponseTimes]:
    """Per channel: how long the first response took (elapsed, less paused time) on clocks of
    `<channel>.first_response` that stopped answered (not cancelled, nor breached and then
    cancelled: nobody answered those), the median and the 90th
    percentile in seconds."""
    rows = (
        _period(start, end)
        .filter(target__endswith=f".{FIRST_RESPONSE}", state=ClockState.STOPPED)
        .exclude(stopped_at__isnull=True)
        .exclude(outcome=ClockOutcome.CANCELLED)
        .filter(cancel_reason="")  # breached, then cancelled: never answered
        .values_list("target", "started_at", "stopped_at", "paused_seconds")
        .order_by()
    )
    by_channel: dict[str, list[float]] = {}
    for target, started, stopped, paused in rows.iterator():
        seconds = max(0.0, (stopped - started).total_seconds() - (paused or 0.0))
        by_channel.setdefault(target.split(".", 1)[0], []).append(seconds)
    result = []
    for channel in sorted(by_channel):
        values = sorted(by_channel[channel])
        result.append(
            ResponseTimes(
                channel=channel,
                count=len(values),
                median_seconds=round(median(values), 1),
                p90_seconds=round(_percentile(values, 0.9), 1),
            )
        )
    return result


__all__ = ["Compliance", "ResponseTimes", "first_response_times", "sla_compliance"]
