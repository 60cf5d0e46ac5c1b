"""Who may do what with a customer's record and history: the one rule the API, the admin and
the desk apply (relations: `helpdesk.access`). Customers are the core's, so the rule is too.

Who held which door before this rule (now they call this module):

| surface | read record and history | update details | add, edit, delete in the admin |
| --- | --- | --- | --- |
| API `/api/v1/customers/` | staff (`read_roles`) | staff (`write_roles`) | - |
| admin | the role groups' permissions: staff view | - | managers (superusers whatever their role) |
| desk ticket page, chat console | with the case (`tickets.access`, `chat.access`) | - | - |

The rule, by relation (a customer is everyone's customer: any agent may take their next case):

| relation | read | update details | manage in the admin |
| --- | --- | --- | --- |
| agent (of any team) | yes | yes | no |
| supervisor | yes | yes | no |
| manager | yes | yes | yes |
| user without a staff role, customer, anonymous | no | no | no |

No page shows a customer another customer's record or cases: there is no customer sign-in
page yet, and the public chat start never returns what is stored about a customer
(`tests/chat`). Refusals raise `helpdesk.access.AccessDenied` (HTTP 403).
"""

from enum import StrEnum

from django.db.models import QuerySet

from helpdesk.access import (
    NO_CASE,
    Relation,
    StaffMember,
    allows,
    check_member_access,
)
from helpdesk.models import Customer, Interaction
from helpdesk.roles import STAFF_ROLES


class CustomerAction(StrEnum):
    READ = "read"  # the record and the history of every channel
    UPDATE = "update"  # create a customer, set their details (the API)
    MANAGE = "manage"  # add, edit and delete in the admin


_EVERY_STAFF_RELATION = frozenset(Relation)
RULES: dict[CustomerAction, frozenset[Relation]] = {
    CustomerAction.READ: _EVERY_STAFF_RELATION,
    CustomerAction.UPDATE: _EVERY_STAFF_RELATION,
    CustomerAction.MANAGE: frozenset({Relation.MANAGER}),
}
REFUSALS: dict[CustomerAction, str] = {
    CustomerAction.READ: "Customers' records are for staff.",
    CustomerAction.UPDATE: "Only members of staff may change a customer's details.",
    CustomerAction.MANAGE: "Only a manager may edit customers in the admin.",
}
# The roles the rule lets read and update: the API's `read_roles`/`write_roles`.
READ_ROLES = UPDATE_ROLES = STAFF_ROLES


def check_customer_access(*, user, action: CustomerAction) -> StaffMember:
    """The user as a member of staff, if the rule lets them do `action` with customers'
    records; AccessDenied with the rule's words otherwise."""
    return check_member_access(user, NO_CASE, RULES[action], REFUSALS[action])


def may(*, user, action: CustomerAction) -> bool:
    """Whether `check_customer_access` would let the user do `action`."""
    return allows(check_customer_access, user=user, action=action)


def readable_customers(user, customers: QuerySet[Customer] | None = None) -> QuerySet[Customer]:
    """The customers the user may read, as one filter (the API, the admin): all for a member
    of staff, none for anyone else."""
    customers = Customer.objects.all() if customers is None else customers
    return customers if may(user=user, action=CustomerAction.READ) else customers.none()


def readable_interactions(
    user, interactions: QuerySet[Interaction] | None = None
) -> QuerySet[Interaction]:
    """The history entries the user may read: a customer's history goes with their record."""
    interactions = Interaction.objects.all() if interactions is None else interactions
    return interactions if may(user=user, action=CustomerAction.READ) else interactions.none()
