"""Who may use the desk: members of staff with a role (agents, supervisors, managers)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from helpdesk.models import Role
from helpdesk.roles import has_role

DESK_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)


def is_desk_staff(user) -> bool:
    """Whether `user` may use the desk (and its WebSocket): a staff role, whatever it is."""
    return has_role(user, *DESK_ROLES)


def desk_staff_required(view):
    """Anonymous visitors are sent to log in; anyone else without a staff role gets 403."""

    @wraps(view)
    @login_required
    def checked(request, *args, **kwargs):
        if not is_desk_staff(request.user):
            raise PermissionDenied("The desk is for staff.")
        return view(request, *args, **kwargs)

    return checked
