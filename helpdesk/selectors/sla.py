"""Reads of the SLA clocks: who an escalation reaches, and what the desk shows."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from helpdesk.models import AgentProfile, Clock, Notification, Role
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.policy.labels import target_label
from helpdesk.roles import OVERSEEING_ROLES
from helpdesk.selectors.cases import case_key, case_links
from helpdesk.sla_registry import CaseLink

# -- the sweep ------------------------------------------------------------------------------------


def clocks_due_query(
    *, now: datetime, after: tuple[datetime, int] | None = None
) -> QuerySet[Clock]:
    """Running clocks whose next moment (warning, due, escalation) has come by `now`, oldest
    first, after the (next_check_at, id) of `after` when given.

    The filter matches the partial index `clock_running_next_check` (next_check_at WHERE
    state = 'running'), so finding a batch reads only the rows it returns.
    """
    due = Clock.objects.filter(state=ClockState.RUNNING, next_check_at__lte=now)
    if after is not None:
        at, pk = after
        due = due.filter(Q(next_check_at__gt=at) | Q(next_check_at=at, pk__gt=pk)).filter(
            next_check_at__gte=at
        )
    return due.order_by("next_check_at", "pk")


# -- escalation recipients ---------------------------------------------------------------------


@dataclass
class Recipients:
    """Who each role means for each assignee, read with a fixed number of queries.

    "agent" is the clock's assignee; "supervisor" is the assignee's own supervisor, or else
    every supervisor of the assignee's team, or else every supervisor; "manager" is every user
    whose role is manager. Only active users are returned.
    """

    usernames: dict[int, str] = field(default_factory=dict)
    _supervisor_of: dict[int, int | None] = field(default_factory=dict)
    _team_of: dict[int, int | None] = field(default_factory=dict)
    _team_supervisors: dict[int, list[int]] = field(default_factory=dict)
    _all_supervisors: list[int] = field(default_factory=list)
    _managers: list[int] = field(default_factory=list)
    _active: set[int] = field(default_factory=set)

    def for_role(self, role: str, assignee_id: int | None) -> list[int]:
        if role == Role.AGENT:
            return [assignee_id] if assignee_id in self._active else []
        if role == Role.MANAGER:
            return list(self._managers)
        if role == Role.SUPERVISOR:
            own = self._supervisor_of.get(assignee_id) if assignee_id else None
            if own is not None and own in self._active:
                return [own]
            team = self._team_of.get(assignee_id) if assignee_id else None
            if team is not None and self._team_supervisors.get(team):
                return list(self._team_supervisors[team])
            return list(self._all_supervisors)
        raise ValueError(f"unknown role {role!r}")


def escalation_recipients(*, assignee_ids: Iterable[int], roles: Iterable[str]) -> Recipients:
    """Everything `Recipients.for_role` needs for these assignees and roles: two queries at
    most, however many assignees."""
    users = get_user_model().objects
    assignee_ids = {pk for pk in assignee_ids if pk}
    roles = set(roles)
    found = Recipients()
    if assignee_ids:
        rows = users.filter(pk__in=assignee_ids).values_list(
            "pk", "username", "is_active", "agent_profile__supervisor_id", "agent_profile__team_id"
        )
        for pk, username, is_active, supervisor_id, team_id in rows:
            found.usernames[pk] = username
            found._supervisor_of[pk] = supervisor_id
            found._team_of[pk] = team_id
            if is_active:
                found._active.add(pk)
    staff_roles = roles & set(OVERSEEING_ROLES)
    if not staff_roles:
        return found
    # Named supervisors, every supervisor (by team, and as the fallback) and every manager that
    # the levels need: one query for the lot.
    wanted = Q(agent_profile__role__in=staff_roles)
    if Role.SUPERVISOR in roles:
        wanted |= Q(pk__in={pk for pk in found._supervisor_of.values() if pk})
    staff = users.filter(wanted, is_active=True).order_by("pk")
    for pk, role, team_id in staff.values_list(
        "pk", "agent_profile__role", "agent_profile__team_id"
    ):
        found._active.add(pk)
        if role == Role.SUPERVISOR:
            found._all_supervisors.append(pk)
            if team_id is not None:
                found._team_supervisors.setdefault(team_id, []).append(pk)
        elif role == Role.MANAGER:
            found._managers.append(pk)
    return found


# -- the desk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeskClock:
    """A clock as the desk shows it: `status` is "breached", "warning", "paused" or "ok", and
    `seconds_left` is until due (negative once past; while paused, what was left)."""

    clock: Clock
    status: str
    seconds_left: float
    case: CaseLink | None = None  # "Ticket #1000" and its page

    @classmethod
    def of(cls, clock: Clock, *, now: datetime, case: CaseLink | None = None) -> "DeskClock":
        if clock.state == ClockState.PAUSED and clock.remaining_at_pause is not None:
            left = clock.remaining_at_pause
        else:
            left = (clock.due_at - now).total_seconds()
        return cls(clock=clock, status=clock_status(clock, now=now), seconds_left=left, case=case)

    @property
    def target(self) -> str:
        """The target in words: "First response (email)"."""
        return target_label(self.clock.target)

    @property
    def countdown(self) -> str:
        """The time left as "1:02:03", "-0:00:05" past due, "2d 01:00:00" beyond a day."""
        total = int(abs(self.seconds_left))
        days, rest = divmod(total, 86_400)
        hours, rest = divmod(rest, 3600)
        text = f"{hours}:{rest // 60:02d}:{rest % 60:02d}"
        if days:
            text = f"{days}d {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
        return f"-{text}" if self.seconds_left < 0 else text


def clock_status(clock: Clock, *, now: datetime) -> str:
    """BREACHED once recorded or once due has passed (before the sweep records it), WARNING
    past warn_at, PAUSED while paused, else OK."""
    if clock.outcome == ClockOutcome.BREACHED:
        return "breached"
    if clock.state == ClockState.PAUSED:
        return "paused"
    if clock.due_at <= now:
        return "breached"
    if clock.warn_at is not None and clock.warn_at <= now:
        return "warning"
    return "ok"


def open_clocks() -> QuerySet[Clock]:
    """Clocks still running or paused, soonest due first, with what the desk prints."""
    return (
        Clock.objects.exclude(state=ClockState.STOPPED)
        .select_related("assignee", "case_type")
        .order_by("due_at", "pk")
    )


@dataclass(frozen=True)
class Desk:
    mine: list[DeskClock]
    team: list[DeskClock]


def desk_clocks(*, user, now: datetime | None = None, limit: int = 200) -> Desk:
    """The user's open clocks and those of the rest of their team, each with its case's name
    and page (three queries, and one per kind of case)."""
    now = now or timezone.now()
    mine_clocks = list(open_clocks().filter(assignee=user)[:limit])
    team_id = AgentProfile.objects.filter(user=user).values_list("team_id", flat=True).first()
    team_clocks: list[Clock] = []
    if team_id is not None:
        team_clocks = list(
            open_clocks()
            .filter(assignee__agent_profile__team_id=team_id)
            .exclude(assignee=user)[:limit]
        )
    links = case_links([*mine_clocks, *team_clocks])

    def rows(clocks: list[Clock]) -> list[DeskClock]:
        return [DeskClock.of(c, now=now, case=links[case_key(c)]) for c in clocks]

    return Desk(mine=rows(mine_clocks), team=rows(team_clocks))


def unread_notifications(*, user, limit: int = 50) -> QuerySet[Notification]:
    """The user's unread notifications, newest first."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
        "-created_at", "-pk"
    )[:limit]
