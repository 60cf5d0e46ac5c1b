"""Reads of complaints: what is overdue, and the figures of the periodic review."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from .models import OPEN_STATUSES, Category, Complaint, ComplaintChannel, RootCause

CADENCES = ("daily", "weekly", "monthly")


def overdue_q(now: datetime) -> Q:
    """Open complaints whose next deadline has passed (see `Complaint.next_deadline`)."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
        | Q(acknowledged_at__isnull=False, respond_by__lt=now)
    )


def desk_complaints(complaints: QuerySet[Complaint], *, limit: int = 200) -> list[Complaint]:
    """The desk's list: open complaints first, soonest response due first, then the closed
    ones, newest first; with what the list prints (one query)."""
    open_first = Case(When(status__in=OPEN_STATUSES, then=0), default=1)
    return list(
        complaints.select_related("customer", "owner")
        .annotate(closed=open_first)
        .order_by("closed", F("respond_by").asc(nulls_last=True), "-received_at")[:limit]
    )


def overdue_complaints(*, now: datetime | None = None) -> QuerySet[Complaint]:
    return Complaint.objects.filter(overdue_q(now or timezone.now()))


def review_period(cadence: str, today: date) -> tuple[date, date]:
    """The last whole period of `cadence` before `today`: (first day, day after the last).
    Weeks run Monday to Sunday."""
    if cadence == "daily":
        return today - timedelta(days=1), today
    if cadence == "weekly":
        end = today - timedelta(days=today.weekday())
        return end - timedelta(days=7), end
    if cadence == "monthly":
        end = today.replace(day=1)
        return (end - timedelta(days=1)).replace(day=1), end
    raise ValueError(f"unknown review cadence {cadence!r}")


def previous_period(start: date, end: date, cadence: str) -> tuple[date, date]:
    if cadence == "monthly":
        return (start - timedelta(days=1)).replace(day=1), start
    return start - (end - start), start


@dataclass
class Figures:
    received: int = 0
    acknowledged_on_time: int = 0
    acknowledge_counted: int = 0
    resolved_on_time: int = 0
    resolve_counted: int = 0

    @property
    def acknowledged_on_time_pct(self) -> float | None:
        return _pct(self.acknowledged_on_time, self.acknowledge_counted)

    @property
    def resolved_on_time_pct(self) -> float | None:
        return _pct(self.resolved_on_time, self.resolve_counted)


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


@dataclass
class Review:
    cadence: str
    start: date
    end: date  # exclusive
    figures: Figures
    previous: Figures
    overdue_now: int
    by_category: list[tuple[str, int]] = field(default_factory=list)
    by_channel: list[tuple[str, int]] = field(default_factory=list)
    by_root_cause: list[tuple[str, int]] = field(default_factory=list)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def trend(self, name: str) -> float | None:
        """This period's figure minus the previous period's (None when either is unknown)."""
        now, before = getattr(self.figures, name), getattr(self.previous, name)
        if now is None or before is None:
            return None
        return round(now - before, 1)

    def rows(self) -> list[tuple[str, str, object]]:
        """Every figure as (section, name, value): the CSV export and the email use these."""
        f, p = self.figures, self.previous
        rows: list[tuple[str, str, object]] = [
            ("period", "from", self.start.isoformat()),
            ("period", "to", self.last_day.isoformat()),
            ("summary", "received", f.received),
            ("summary", "acknowledged on time %", _text(f.acknowledged_on_time_pct)),
            ("summary", "resolved on time %", _text(f.resolved_on_time_pct)),
            ("summary", "overdue now", self.overdue_now),
            ("previous period", "received", p.received),
            ("previous period", "acknowledged on time %", _text(p.acknowledged_on_time_pct)),
            ("previous period", "resolved on time %", _text(p.resolved_on_time_pct)),
            ("trend", "received", f.received - p.received),
            (
                "trend",
                "acknowledged on time % points",
                _text(self.trend("acknowledged_on_time_pct")),
            ),
            ("trend", "resolved on time % points", _text(self.trend("resolved_on_time_pct"))),
        ]
        rows += [("by category", name, count) for name, count in self.by_category]
        rows += [("by channel", name, count) for name, count in self.by_channel]
        rows += [("by root cause", name, count) for name, count in self.by_root_cause]
        return rows


def _text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _bounds(start: date, end: date, zone: tzinfo) -> tuple[datetime, datetime]:
    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), zone)

    return midnight(start), midnight(end)


def _figures(start: datetime, end: datetime, now: datetime) -> Figures:
    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    ack = Q(acknowledge_due_at__isnull=False) & (
        Q(acknowledged_at__isnull=False) | Q(acknowledge_due_at__lte=now)
    )
    res = Q(resolution_due_at__isnull=False) & (
        Q(resolved_at__isnull=False) | Q(resolution_due_at__lte=now)
    )
    counts = received.aggregate(
        received=Count("pk"),
        acknowledge_counted=Count("pk", filter=ack),
        acknowledged_on_time=Count(
            "pk", filter=ack & Q(acknowledged_at__lte=F("acknowledge_due_at"))
        ),
        resolve_counted=Count("pk", filter=res),
        resolved_on_time=Count("pk", filter=res & Q(resolved_at__lte=F("resolution_due_at"))),
    )
    return Figures(**counts)


def _breakdown(queryset: QuerySet, field_name: str, labels: dict[str, str]) -> list:
    counts = queryset.values(field_name).annotate(n=Count("pk")).order_by("-n", field_name)
    return [(labels.get(row[field_name], row[field_name] or "none"), row["n"]) for row in counts]


def complaint_review(
    *, cadence: str, start: date, end: date, zone: tzinfo, now: datetime | None = None
) -> Review:
    """The review of complaints received from `start` to `end` (exclusive, days in `zone`):
    received, acknowledged and resolved on time (of those whose deadline has come or that were
    done), overdue now, by category and channel (received), by root cause (resolved in the
    period), and the same figures for the period before."""
    now = now or timezone.now()
    lo, hi = _bounds(start, end, zone)
    prev_start, prev_end = previous_period(start, end, cadence)
    plo, phi = _bounds(prev_start, prev_end, zone)
    received = Complaint.objects.filter(received_at__gte=lo, received_at__lt=hi)
    resolved = Complaint.objects.filter(resolved_at__gte=lo, resolved_at__lt=hi)
    return Review(
        cadence=cadence,
        start=start,
        end=end,
        figures=_figures(lo, hi, now),
        previous=_figures(plo, phi, now),
        overdue_now=overdue_complaints(now=now).count(),
        by_category=_breakdown(received, "category", dict(Category.choices)),
        by_channel=_breakdown(received, "channel", dict(ComplaintChannel.choices)),
        by_root_cause=_breakdown(resolved, "root_cause", dict(RootCause.choices)),
    )
