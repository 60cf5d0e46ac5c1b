"""Who may do what with a ticket: the one rule the desk pages, the desk socket, the API and the
admin all apply (relations: `helpdesk.access`).

Who held which door before this rule (all said the same; now they call this module):

| surface | read | act (reply, note, assign, status, priority, escalate, resolve, merge) |
| --- | --- | --- |
| desk pages `/desk/tickets/<n>/` | any member of staff | any member of staff |
| desk socket `ws/desk/` (follow a ticket page) | any member of staff | - |
| API `/api/v1/tickets/` | agents, supervisors, managers (`read_roles`) | the same (`write_roles`) |
| admin | every member of staff, read-only | nobody (changes go through the desk) |

The rule, by relation to the ticket:

| relation | read | act |
| --- | --- | --- |
| assigned agent | yes | yes |
| agent of the ticket's team (or any agent, no team) | yes | yes |
| agent of another team | yes | yes |
| supervisor, manager | yes | yes |
| user without a staff role, customer, anonymous | no | no |

A ticket is the team's shared case: any member of staff may open and work any ticket (an agent
covers for a colleague, a supervisor takes an escalation). Which tickets a desk page hears of
live is narrower and lives with the socket's groups (`tickets.visibility`): a queue is a view,
not a door. Refusals raise `helpdesk.access.AccessDenied` (HTTP 403).
"""

from enum import StrEnum

from django.db.models import QuerySet

from helpdesk.access import (
    CaseHolders,
    Relation,
    StaffMember,
    allows,
    check_member_access,
    staff_member,
)
from helpdesk.roles import STAFF_ROLES

from .models import Ticket


class TicketAction(StrEnum):
    READ = "read"
    ACT = "act"  # reply, note, assign, status, priority, escalate, resolve, merge


EVERY_STAFF_RELATION = frozenset(Relation)
RULES: dict[TicketAction, frozenset[Relation]] = {
    TicketAction.READ: EVERY_STAFF_RELATION,
    TicketAction.ACT: EVERY_STAFF_RELATION,
}
REFUSALS: dict[TicketAction, str] = {
    TicketAction.READ: "Tickets are for staff.",
    TicketAction.ACT: "Only members of staff may work on tickets.",
}
# The roles the rule lets read and act on some ticket: the API's `read_roles`/`write_roles`.
READ_ROLES = ACT_ROLES = STAFF_ROLES


def check_ticket_access(*, user, ticket: Ticket, action: TicketAction) -> StaffMember:
    """The user as a member of staff, if the rule lets them do `action` with this ticket;
    AccessDenied with the rule's words otherwise (anyone without a staff role)."""
    holders = CaseHolders(handler_id=ticket.assignee_id, team_id=ticket.team_id)
    return check_member_access(user, holders, RULES[action], REFUSALS[action])


def may(*, user, ticket: Ticket, action: TicketAction) -> bool:
    """Whether `check_ticket_access` would let the user do `action`."""
    return allows(check_ticket_access, user=user, ticket=ticket, action=action)


def may_use_tickets(user) -> bool:
    """Whether the user may read some ticket: the door of the desk's queue, its socket, the
    API's ticket endpoints and the tickets' admin."""
    return staff_member(user) is not None


def readable_tickets(user, tickets: QuerySet[Ticket] | None = None) -> QuerySet[Ticket]:
    """The tickets the user may read, as one filter (for lists: the API, the admin): every
    ticket for a member of staff, none for anyone else."""
    tickets = Ticket.objects.all() if tickets is None else tickets
    return tickets if may_use_tickets(user) else tickets.none()


def access_ticket(*, user, tickets: QuerySet[Ticket], action: TicketAction, **lookup) -> Ticket:
    """The ticket `lookup` finds in `tickets` if the user may do `action` with it. Raises
    Ticket.DoesNotExist when there is none, AccessDenied when the rule says no."""
    ticket = tickets.get(**lookup)
    check_ticket_access(user=user, ticket=ticket, action=action)
    return ticket
