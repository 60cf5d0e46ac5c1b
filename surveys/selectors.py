"""Read-side figures of surveys for the weekly digest, the desk page and its CSV export.

Every report takes a constant number of queries whatever the number of agents, channels or
responses: one grouped query for the totals by agent and channel, one for the lowest scores,
one for the series over time.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils import timezone

from helpdesk.models import Clock
from helpdesk.models.people import Channel
from surveys.models import (
    FOLLOW_UP_TARGET,
    FollowUp,
    FollowUpStatus,
    SurveyInvitation,
    SurveyResponse,
)


@dataclass
class Figures:
    invitations: int = 0
    responses: int = 0
    answered: int = 0
    score_sum: int = 0

    def add(self, row: dict) -> None:
        self.invitations += row["invitations"]
        self.responses += row["responses"]
        self.answered += row["answered"]
        self.score_sum += row["score_sum"] or 0

    @property
    def response_rate(self) -> float | None:
        """Share of invitations answered, 0..1; None without invitations."""
        return self.responses / self.invitations if self.invitations else None

    @property
    def answered_rate(self) -> float | None:
        """Share of responses saying the question was answered, 0..1."""
        return self.answered / self.responses if self.responses else None

    @property
    def average(self) -> float | None:
        """Average satisfaction score of the responses."""
        return self.score_sum / self.responses if self.responses else None


@dataclass(frozen=True)
class Filters:
    start: datetime
    end: datetime
    team_id: int | None = None
    agent_id: int | None = None
    channel: str = ""


@dataclass
class Report:
    filters: Filters
    total: Figures = field(default_factory=Figures)
    by_agent: dict[str, Figures] = field(default_factory=dict)
    by_channel: dict[str, Figures] = field(default_factory=dict)
    lowest: list[SurveyResponse] = field(default_factory=list)
    series: list[tuple[datetime, Figures]] = field(default_factory=list)


def invitations_in(filters: Filters) -> QuerySet[SurveyInvitation]:
    """The invitations sent in the period, narrowed by team, agent and channel."""
    rows = SurveyInvitation.objects.filter(
        created_at__gte=filters.start, created_at__lt=filters.end
    )
    if filters.team_id:
        rows = rows.filter(agent__agent_profile__team_id=filters.team_id)
    if filters.agent_id:
        rows = rows.filter(agent_id=filters.agent_id)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    return rows


_FIGURES = {
    "invitations": Count("pk"),
    "responses": Count("response"),
    "answered": Count("response", filter=Q(response__answered=True)),
    "score_sum": Sum("response__score"),
}


def _agent_label(row: dict) -> str:
    if row["agent_id"] is None:
        return "(no agent)"
    full = f"{row['agent__first_name']} {row['agent__last_name']}".strip()
    return full or row["agent__username"]


def survey_report(
    *, filters: Filters, lowest: int = 10, bucket: str = "week", with_series: bool = True
) -> Report:
    """Responses, response rate, answered rate and average satisfaction in the period: in
    total, by agent, by channel, over time (by `bucket`: day, week or month), and the `lowest`
    lowest-scored responses with their comments (lowest first)."""
    report = Report(filters=filters)
    invitations = invitations_in(filters)
    grouped = (
        invitations.values(
            "agent_id", "agent__username", "agent__first_name", "agent__last_name", "channel"
        )
        .annotate(**_FIGURES)
        .order_by()
    )
    channel_labels = dict(Channel.choices)
    for row in grouped:
        report.total.add(row)
        report.by_agent.setdefault(_agent_label(row), Figures()).add(row)
        label = channel_labels.get(row["channel"], row["channel"])
        report.by_channel.setdefault(label, Figures()).add(row)
    report.by_agent = dict(sorted(report.by_agent.items()))
    report.by_channel = dict(sorted(report.by_channel.items()))
    if lowest:
        report.lowest = list(
            SurveyResponse.objects.filter(invitation__in=invitations)
            .select_related("invitation__agent", "invitation__customer")
            .order_by("score", "answered", "-submitted_at", "pk")[:lowest]
        )
    if with_series:
        trunc = {"day": TruncDay, "month": TruncMonth}.get(bucket, TruncWeek)
        series = (
            invitations.annotate(period=trunc("created_at", tzinfo=timezone.get_default_timezone()))
            .values("period")
            .annotate(**_FIGURES)
            .order_by("period")
        )
        for row in series:
            figures = Figures()
            figures.add(row)
            report.series.append((row["period"], figures))
    return report


def open_follow_ups(*, user=None, limit: int = 50) -> list[FollowUp]:
    """Open follow-ups, soonest due first: those of `user` and those nobody holds, or all."""
    rows = FollowUp.objects.filter(status=FollowUpStatus.OPEN)
    if user is not None:
        rows = rows.filter(Q(supervisor=user) | Q(supervisor__isnull=True))
    return list(
        rows.select_related(
            "supervisor", "response__invitation__agent", "response__invitation__customer"
        ).order_by("due_at", "pk")[:limit]
    )


def follow_up_detail(*, follow_up_id: int) -> FollowUp | None:
    return (
        FollowUp.objects.select_related(
            "supervisor",
            "closed_by",
            "response__invitation__agent",
            "response__invitation__customer",
            "response__invitation__conversation_type",
        )
        .filter(pk=follow_up_id)
        .first()
    )


def follow_up_clock(*, follow_up: FollowUp) -> Clock | None:
    """The follow-up's `surveys.follow_up` SLA clock; None when it was opened without one
    (the policy then set no `[surveys] follow_up`)."""
    return (
        Clock.objects.filter(
            case_type=ContentType.objects.get_for_model(FollowUp),
            case_id=follow_up.pk,
            target=FOLLOW_UP_TARGET,
        )
        .select_related("assignee")
        .first()
    )
