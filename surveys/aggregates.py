"""Survey figures grouped for the API (`surveys.apis`): the supervisors' report
(`surveys.selectors.survey_report`, so the numbers are the page's) by agent, channel or period,
with the share of satisfied customers beside it.

A response is satisfied when its score is at least the policy's `follow_up_below` (a lower
score is a poor answer that opens a follow-up). Two queries whatever the data: the report's
grouped totals (or its series) and the satisfied counts grouped the same way.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from helpdesk.models.people import Channel
from helpdesk.services.policy import policy_in_force

from .selectors import Figures, Filters, _agent_label, invitations_in, survey_report

GROUPS = ("agent", "channel", "period")
PERIODS = ("week", "month")


@dataclass
class Group:
    key: str
    label: str
    figures: Figures
    satisfied: int = 0
    agent_id: int | None = None
    channel: str | None = None
    period_start: datetime | None = None


@dataclass
class Aggregates:
    filters: Filters
    group_by: str
    period: str | None
    scale: int
    satisfied_from: int
    total: Figures
    satisfied: int = 0
    groups: list[Group] = field(default_factory=list)


def _satisfied(filters: Filters, satisfied_from: int, *keys, **annotations) -> list[dict]:
    rows = invitations_in(filters)
    if annotations:
        rows = rows.annotate(**annotations)
    return list(
        rows.values(*keys)
        .annotate(satisfied=Count("response", filter=Q(response__score__gte=satisfied_from)))
        .order_by()
    )


def _by_agent(report, filters: Filters, satisfied_from: int) -> list[Group]:
    rows = _satisfied(
        filters,
        satisfied_from,
        "agent_id",
        "agent__username",
        "agent__first_name",
        "agent__last_name",
    )
    satisfied: dict[str, int] = {}
    ids: dict[str, set] = {}
    for row in rows:
        label = _agent_label(row)
        satisfied[label] = satisfied.get(label, 0) + row["satisfied"]
        ids.setdefault(label, set()).add(row["agent_id"])
    groups = []
    for label, figures in report.by_agent.items():
        found = ids.get(label, set())
        agent_id = next(iter(found)) if len(found) == 1 else None
        groups.append(
            Group(
                key=str(agent_id) if agent_id is not None else label,
                label=label,
                figures=figures,
                satisfied=satisfied.get(label, 0),
                agent_id=agent_id,
            )
        )
    return groups


def _by_channel(report, filters: Filters, satisfied_from: int) -> list[Group]:
    labels = dict(Channel.choices)
    values = {}
    satisfied: dict[str, int] = {}
    for row in _satisfied(filters, satisfied_from, "channel"):
        label = labels.get(row["channel"], row["channel"])
        values[label] = row["channel"]
        satisfied[label] = satisfied.get(label, 0) + row["satisfied"]
    return [
        Group(
            key=values.get(label, label),
            label=label,
            figures=figures,
            satisfied=satisfied.get(label, 0),
            channel=values.get(label, label),
        )
        for label, figures in report.by_channel.items()
    ]


def _by_period(report, filters: Filters, satisfied_from: int, period: str) -> list[Group]:
    trunc = TruncMonth if period == "month" else TruncWeek
    start = trunc("created_at", tzinfo=timezone.get_default_timezone())  # the team's weeks
    rows = _satisfied(filters, satisfied_from, "period_start", period_start=start)
    satisfied = {row["period_start"]: row["satisfied"] for row in rows}
    return [
        Group(
            key=start.date().isoformat(),
            label=start.date().isoformat(),
            figures=figures,
            satisfied=satisfied.get(start, 0),
            period_start=start,
        )
        for start, figures in report.series
    ]


def survey_aggregates(*, filters: Filters, group_by: str, period: str = "week") -> Aggregates:
    """The report of `filters` (invitations sent in its period and their responses) in total
    and grouped `by` agent, channel or period ("week" or "month", starting in the current time
    zone), each with how many responses were satisfied."""
    surveys = policy_in_force()[1].surveys
    satisfied_from = surveys.follow_up_below
    by_period = group_by == "period"
    report = survey_report(filters=filters, lowest=0, bucket=period, with_series=by_period)
    if group_by == "agent":
        groups = _by_agent(report, filters, satisfied_from)
    elif group_by == "channel":
        groups = _by_channel(report, filters, satisfied_from)
    else:
        groups = _by_period(report, filters, satisfied_from, period)
    return Aggregates(
        filters=filters,
        group_by=group_by,
        period=period if by_period else None,
        scale=surveys.scale,
        satisfied_from=satisfied_from,
        total=report.total,
        satisfied=sum(group.satisfied for group in groups),
        groups=groups,
    )
