"""Who may follow a ticket live on the desk, and the channel-layer groups that carry it.

Rule (what a desk page hears of, not who may open a ticket: that is `tickets.access`):
supervisors and managers see every ticket; an agent sees a ticket without a team, a ticket
of their own team, and a ticket assigned to them or to a member of their team (what their "my
team" queue holds). A change of a ticket (`ticket.updated`) reaches the groups of everyone who
could see it before the change or can see it after, so a queue that loses the ticket hears it
too; nobody else. A ticket page follows its own ticket whatever the team ("ticket-<id>"), since
any member of staff may open any ticket page (`may_follow_ticket`).

Groups (named by `helpdesk.realtime.AppGroups`, so no other app's group is ever one of them):
"tickets.desk" (every member of staff: new tickets, new messages, and the changes of tickets
without a team), "tickets.desk.all-teams" (supervisors and managers), "tickets.desk.team.<id>"
(the agents of a team), "tickets.desk.agent.<user id>" (one agent), "tickets.ticket.<id>" (the
pages of one ticket).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from helpdesk.access import StaffMember, oversees_every_team
from helpdesk.realtime import AppGroups

from .access import TicketAction, may
from .models import Ticket

GROUPS = AppGroups("tickets")
DESK_GROUP = GROUPS.name("desk")
ALL_TEAMS_GROUP = GROUPS.name("desk", "all-teams")


def team_group(team_id: int) -> str:
    return GROUPS.name("desk", "team", team_id)


def agent_group(user_id: int) -> str:
    return GROUPS.name("desk", "agent", user_id)


def ticket_group(ticket_id: int) -> str:
    return GROUPS.name("ticket", ticket_id)


def desk_groups(member: StaffMember) -> tuple[str, ...]:
    """The groups a desk page of `member` listens to."""
    if oversees_every_team(member):
        return (DESK_GROUP, ALL_TEAMS_GROUP)
    groups = [DESK_GROUP, agent_group(member.user_id)]
    if member.team_id is not None:
        groups.append(team_group(member.team_id))
    return tuple(groups)


def visible_tickets(member: StaffMember) -> QuerySet[Ticket]:
    """The tickets `member` may follow live (the rule in the module's docstring)."""
    tickets = Ticket.objects.all()
    if oversees_every_team(member):
        return tickets
    seen = Q(team__isnull=True) | Q(assignee_id=member.user_id)
    if member.team_id is not None:
        seen |= Q(team_id=member.team_id) | Q(assignee__agent_profile__team_id=member.team_id)
    return tickets.filter(seen)


def may_follow_ticket(user, ticket_id: int) -> bool:
    """Whether `user`'s ticket page may follow ticket `ticket_id` live (False for a ticket that
    does not exist). The rule is the ticket page's own (`tickets.access`, read): the page a
    member of staff may open follows its ticket live, whatever its team."""
    ticket = Ticket.objects.filter(pk=ticket_id).only("pk", "team_id", "assignee_id").first()
    return ticket is not None and may(user=user, ticket=ticket, action=TicketAction.READ)


@dataclass(frozen=True)
class Holder:
    """Where a ticket is, as the rule reads it: its team and its assignee."""

    team_id: int | None
    assignee_id: int | None


def audience(holders: list[Holder]) -> tuple[str, ...]:
    """The groups that may see a ticket held by any of `holders` (before and after a change):
    one query for the assignees' teams, none without an assignee."""
    if any(holder.team_id is None for holder in holders):
        return (DESK_GROUP,)  # a ticket without a team: every member of staff
    assignee_ids = {h.assignee_id for h in holders if h.assignee_id is not None}
    teams_of = dict(
        get_user_model()
        .objects.filter(pk__in=assignee_ids, agent_profile__team__isnull=False)
        .values_list("pk", "agent_profile__team_id")
        if assignee_ids
        else ()
    )
    groups = [ALL_TEAMS_GROUP]
    for holder in holders:
        groups.append(team_group(holder.team_id))
        if holder.assignee_id is not None:
            groups.append(agent_group(holder.assignee_id))
            if holder.assignee_id in teams_of:
                groups.append(team_group(teams_of[holder.assignee_id]))
    return tuple(dict.fromkeys(groups))
