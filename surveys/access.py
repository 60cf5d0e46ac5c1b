"""Who may do what with survey answers: the one rule the supervisors' survey pages, the API,
the admin and the follow-up service all apply (relations: `helpdesk.access`).

Who held which door before this rule (now they all call this module):

| surface | read answers, figures, follow-ups | close a follow-up |
| --- | --- | --- |
| desk `/desk/surveys/` (page, CSV, follow-up) | supervisors, managers (`_check_staff`) | the same |
| API `/api/v1/surveys/` | supervisors, managers (`read_roles`) | - |
| admin | Django's model permissions: superusers only, whatever their role | - |
| services | - | supervisors, managers (`close_follow_up`) |

The admin disagreed: a superuser with an agent's role read every answer there, and no
supervisor or manager could. It follows the rule now.

The rule, by relation (an answer is about an agent's conversation, and is reviewed above them):

| relation | read | close a follow-up |
| --- | --- | --- |
| agent, whoever's conversation it answers | no | no |
| supervisor (any team) | yes | yes |
| manager | yes | yes |
| user without a staff role, customer, anonymous | no | no |

Customers answer through their own signed link (`surveys.tokens`), never through this rule.
Refusals raise `helpdesk.access.AccessDenied` (HTTP 403).
"""

from enum import StrEnum

from django.db.models import QuerySet

from helpdesk.access import (
    NO_CASE,
    Relation,
    StaffMember,
    allows,
    check_member_access,
    staff_member,
)
from helpdesk.models import Role
from helpdesk.roles import OVERSEEING_ROLES

from .models import SurveyResponse


class SurveyAction(StrEnum):
    READ = "read"  # answers, the figures, the follow-ups, the CSV export
    CLOSE_FOLLOW_UP = "close follow-up"


_OVERSEERS = frozenset({Relation.SUPERVISOR, Relation.MANAGER})
RULES: dict[SurveyAction, frozenset[Relation]] = {
    SurveyAction.READ: _OVERSEERS,
    SurveyAction.CLOSE_FOLLOW_UP: _OVERSEERS,
}
REFUSALS: dict[SurveyAction, str] = {
    SurveyAction.READ: "Survey reports are for supervisors and managers.",
    SurveyAction.CLOSE_FOLLOW_UP: "Only supervisors and managers close survey follow-ups.",
}
# The roles the rule lets read: the API's `read_roles`.
READ_ROLES = OVERSEEING_ROLES


def check_survey_access(*, user, action: SurveyAction) -> StaffMember:
    """The user as a member of staff, if the rule lets them do `action` with survey answers;
    AccessDenied with the rule's words otherwise."""
    return check_member_access(user, NO_CASE, RULES[action], REFUSALS[action])


def may(*, user, action: SurveyAction) -> bool:
    """Whether `check_survey_access` would let the user do `action`."""
    return allows(check_survey_access, user=user, action=action)


def readable_survey_responses(
    user, responses: QuerySet[SurveyResponse] | None = None
) -> QuerySet[SurveyResponse]:
    """The answers the user may read, as one filter (for lists: the API, the admin): every
    answer for a supervisor or manager, none for anyone else."""
    responses = SurveyResponse.objects.all() if responses is None else responses
    return responses if may(user=user, action=SurveyAction.READ) else responses.none()


def follow_ups_listed_for(user):
    """Whose open follow-ups the survey page lists: a manager's page lists everyone's (None),
    a supervisor's their own and those nobody holds (the user). A view of the list, not a
    door: any supervisor may open and close any follow-up."""
    member = staff_member(user)
    return None if member is not None and member.role == Role.MANAGER else user
