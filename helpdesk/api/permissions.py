"""Who may call an endpoint: a token needs the endpoint's scope, a session user one of its
roles. A view declares both for reading (GET) and writing (anything else):

    read_scope = Scope.TICKETS_READ
    write_scope = Scope.TICKETS_WRITE
    read_roles = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)
    write_roles = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from helpdesk.models import ApiKey, Role
from helpdesk.roles import has_role

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)
SUPERVISORS = (Role.SUPERVISOR, Role.MANAGER)
MANAGERS = (Role.MANAGER,)


def required_scope(view, method: str) -> str | None:
    return getattr(view, "read_scope" if method in SAFE_METHODS else "write_scope", None)


def required_roles(view, method: str) -> tuple[str, ...]:
    return tuple(getattr(view, "read_roles" if method in SAFE_METHODS else "write_roles", ()))


class ScopeOrRole(BasePermission):
    """A token with the scope, or a session user with the role; anyone else is refused (401
    without credentials, 403 with them)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        if isinstance(request.auth, ApiKey):
            scope = required_scope(view, request.method)
            if scope is None or not request.auth.has_scope(scope):
                self.message = f"This key lacks the scope '{scope}'."
                return False
            return True
        roles = required_roles(view, request.method)
        if not has_role(request.user, *roles):
            self.message = "Your role does not allow this."
            return False
        return True
