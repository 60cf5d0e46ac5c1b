"""Who may do what with a complaint: the one rule the desk's complaint pages, the API, the admin
and the workflow's services all apply (relations: `helpdesk.access`).

Who held which door before this rule (all said the same; now they call this module):

| surface | read | log | take a step | review |
| --- | --- | --- | --- | --- |
| desk `/desk/complaints/` | staff (`staff_required`) | staff | - | - |
| API `/api/v1/complaints/` | staff (`read_roles`) | staff | managers (`write_roles`) | - |
| admin (`has_*_permission`) | staff | staff | managers | supervisors, managers |
| services | - | staff (`check_can_log`) | managers (`check_can_manage`) | - |

The rule, by relation (a complaint is run by the customer service managers, whoever owns it):

| relation | read | log | take a step | review |
| --- | --- | --- | --- | --- |
| agent (of any team) | yes | yes | no | no |
| supervisor | yes | yes | no | yes |
| manager (the owner or not) | yes | yes | yes | yes |
| user without a staff role, customer, anonymous | no | no | no | no |

A step is acknowledging, a holding letter, an investigation note, resolving, closing,
withdrawing, reopening (`complaints.services`). Refusals raise `helpdesk.access.AccessDenied`
(HTTP 403).
"""

from enum import StrEnum

from django.db.models import QuerySet

from helpdesk.access import (
    CaseHolders,
    Relation,
    StaffMember,
    allows,
    check_member_access,
)
from helpdesk.roles import MANAGER_ROLES, OVERSEEING_ROLES, STAFF_ROLES

from .models import Complaint


class ComplaintAction(StrEnum):
    READ = "read"
    LOG = "log"
    STEP = "step"  # acknowledge, holding letter, note, resolve, close, withdraw, reopen
    REVIEW = "review"


_EVERY_STAFF_RELATION = frozenset(Relation)
RULES: dict[ComplaintAction, frozenset[Relation]] = {
    ComplaintAction.READ: _EVERY_STAFF_RELATION,
    ComplaintAction.LOG: _EVERY_STAFF_RELATION,
    ComplaintAction.STEP: frozenset({Relation.MANAGER}),
    ComplaintAction.REVIEW: frozenset({Relation.SUPERVISOR, Relation.MANAGER}),
}
REFUSALS: dict[ComplaintAction, str] = {
    ComplaintAction.READ: "Complaints are for staff.",
    ComplaintAction.LOG: "Only members of staff may log a complaint.",
    ComplaintAction.STEP: "Only a customer service manager may take this step.",
    ComplaintAction.REVIEW: "The complaints review is for supervisors and managers.",
}
# The roles the rule lets do each action: the API's `read_roles`/`write_roles`.
ROLES: dict[ComplaintAction, tuple[str, ...]] = {
    ComplaintAction.READ: STAFF_ROLES,
    ComplaintAction.LOG: STAFF_ROLES,
    ComplaintAction.STEP: MANAGER_ROLES,
    ComplaintAction.REVIEW: OVERSEEING_ROLES,
}


def check_complaint_access(
    *, user, action: ComplaintAction, complaint: Complaint | None = None
) -> StaffMember:
    """The user as a member of staff, if the rule lets them do `action` (with `complaint`, when
    the action is on one); AccessDenied with the rule's words otherwise."""
    holders = CaseHolders(
        handler_id=complaint.owner_id if complaint is not None else None, team_id=None
    )
    return check_member_access(user, holders, RULES[action], REFUSALS[action])


def may(*, user, action: ComplaintAction, complaint: Complaint | None = None) -> bool:
    """Whether `check_complaint_access` would let the user do `action`."""
    return allows(check_complaint_access, user=user, action=action, complaint=complaint)


def readable_complaints(user, complaints: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    """The complaints the user may read, as one filter (for lists: the API, the admin): every
    complaint for a member of staff, none for anyone else."""
    complaints = Complaint.objects.all() if complaints is None else complaints
    return complaints if may(user=user, action=ComplaintAction.READ) else complaints.none()
