"""Who may call an endpoint: a token needs the endpoint's scope AND its owner one of the
endpoint's roles now (a key never does more than the person it acts as may do: an agent's key
with `webhooks:manage` cannot manage webhooks, and a key whose owner lost their role stops
working); a session user needs one of its roles. A view declares both for reading (GET) and
writing (anything else):

    read_scope = Scope.TICKETS_READ
    write_scope = Scope.TICKETS_WRITE
    read_roles = STAFF_ROLES  # helpdesk.roles
    write_roles = STAFF_ROLES
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from helpdesk.models import ApiKey
from helpdesk.roles import MANAGER_ROLES, OVERSEEING_ROLES, STAFF_ROLES, has_role, user_role

# The API's names for the role sets of `helpdesk.roles`.
STAFF = STAFF_ROLES
SUPERVISORS = OVERSEEING_ROLES
MANAGERS = MANAGER_ROLES


def required_scope(view, method: str) -> str | None:
    return getattr(view, "read_scope" if method in SAFE_METHODS else "write_scope", None)


def required_roles(view, method: str) -> tuple[str, ...]:
    return tuple(getattr(view, "read_roles" if method in SAFE_METHODS else "write_roles", ()))


class ScopeOrRole(BasePermission):
    """A token with the scope whose owner holds the role, or a session user with the role;
    anyone else is refused (401 without credentials, 403 with them)."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        roles = required_roles(view, request.method)
        if isinstance(request.auth, ApiKey):
            scope = required_scope(view, request.method)
            if scope is None:
                self.message = "API keys cannot do this; sign in to the desk."
                return False
            if not request.auth.has_scope(scope):
                self.message = f"This key lacks the scope '{scope}'."
                return False
            if not request.user.is_staff or user_role(request.user) is None:
                self.message = "This key's owner no longer has a role on the desk."
                return False
            if not has_role(request.user, *roles):
                self.message = "This key's owner's role does not allow this."
                return False
            return True
        if not has_role(request.user, *roles):
            self.message = "Your role does not allow this."
            return False
        return True
