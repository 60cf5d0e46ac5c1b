"""Who may do what with a case: the relations a member of staff can have to one case (a chat, a
ticket, ...), and the one error every door (console, desk page, API, admin, socket) raises
when the answer is no.

A channel app states its rule as the relations each action needs (`chat/access.py`); this
module only tells which relations hold. Relations are facts, not ranks: a supervisor who took
a chat over is both `SUPERVISOR` and `HANDLER`, and a rule names every relation it allows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from helpdesk.models.people import Role
from helpdesk.roles import OVERSEEING_ROLES, user_role


class AccessDenied(PermissionDenied):
    """The user may not do that with this case. A `PermissionDenied`, so Django pages and the
    API answer 403 with the message; sockets send `{"type": "error", "code": "forbidden"}`."""

    code = "forbidden"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Relation(StrEnum):
    HANDLER = "handling agent"  # the case is assigned to them
    HANDLERS_SUPERVISOR = "supervisor of the handling agent"  # their profile's `supervisor`
    TEAM = "agent of the case's team"  # or any agent, for a case without a team
    OTHER_TEAM = "agent of another team"
    SUPERVISOR = "supervisor"  # the role, whatever the team
    MANAGER = "manager"


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as an access rule needs them: id, role and team."""

    user_id: int
    role: str
    team_id: int | None


@dataclass(frozen=True)
class CaseHolders:
    """Who holds a case, as an access rule reads it."""

    handler_id: int | None
    team_id: int | None
    handlers_supervisor_id: int | None = None


def oversees_every_team(member: StaffMember) -> bool:
    """Supervisors and managers oversee the cases of every team (as with tickets)."""
    return member.role in OVERSEEING_ROLES


def staff_member(user) -> StaffMember | None:
    """The user's role (`helpdesk.roles.user_role`: active staff only; a superuser without a
    profile is a manager) and team; None for anyone else (anonymous, customers, inactive)."""
    role = user_role(user)
    if role is None:
        return None
    try:
        team_id = user.agent_profile.team_id
    except ObjectDoesNotExist:
        team_id = None
    return StaffMember(user_id=user.pk, role=role, team_id=team_id)


def relations(member: StaffMember | None, case: CaseHolders) -> frozenset[Relation]:
    """Every relation `member` has to the case (none for someone who is not staff)."""
    if member is None:
        return frozenset()
    found: set[Relation] = set()
    if member.role == Role.SUPERVISOR:
        found.add(Relation.SUPERVISOR)
    elif member.role == Role.MANAGER:
        found.add(Relation.MANAGER)
    if case.handler_id is not None and case.handler_id == member.user_id:
        found.add(Relation.HANDLER)
    if case.handlers_supervisor_id is not None and case.handlers_supervisor_id == member.user_id:
        found.add(Relation.HANDLERS_SUPERVISOR)
    if case.team_id is None or case.team_id == member.team_id:
        found.add(Relation.TEAM)
    else:
        found.add(Relation.OTHER_TEAM)
    return frozenset(found)


def check_relations(
    member: StaffMember | None, case: CaseHolders, allowed: frozenset[Relation], message: str
) -> frozenset[Relation]:
    """The member's relations to the case if one of them is `allowed`; AccessDenied(message)
    otherwise."""
    held = relations(member, case)
    if not held & allowed:
        raise AccessDenied(message)
    return held


NO_CASE = CaseHolders(handler_id=None, team_id=None)  # a rule on a kind, not on one case


def check_member_access(
    user, case: CaseHolders, allowed: frozenset[Relation], message: str
) -> StaffMember:
    """The user as a member of staff if one of their relations to the case is `allowed`;
    AccessDenied(message) otherwise, and for anyone without a staff role. The body of every
    kind's `check_*_access`."""
    member = staff_member(user)
    if member is None:
        raise AccessDenied(message)
    check_relations(member, case, allowed, message)
    return member


def allows(check: Callable[..., object], /, **kwargs) -> bool:
    """Whether `check(**kwargs)` lets the user through: every kind's `may`."""
    try:
        check(**kwargs)
    except AccessDenied:
        return False
    return True


def is_staff_member(user) -> bool:
    """Whether the user has a staff role now (agent, supervisor or manager): the door of every
    staff page, the desk socket and the API."""
    return staff_member(user) is not None


def desk_staff_required(view):
    """The door of every desk page: anonymous visitors are sent to log in, anyone else without
    a staff role (agent, supervisor, manager) gets 403. A rule per kind of case (`*/access.py`)
    then says what the member may do with the case the page shows."""

    @wraps(view)
    @login_required
    def checked(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise AccessDenied("The desk is for staff.")
        return view(request, *args, **kwargs)

    return checked
