"""Roles of the staff and what each may do: the one place that maps a role to its Django group
and the group to its permissions.

An `AgentProfile.role` is the truth; the user's membership of the matching group mirrors it (see
`helpdesk.services.people.set_role`) so Django's permission checks, the admin included, follow
the role. The data migration `0002_staff_groups` and `ensure_role_groups()` both apply
`GROUP_PERMISSIONS`, so the tests check one constant.
"""

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ObjectDoesNotExist

from helpdesk.models.people import Role

# The role sets every rule names, here once: the staff (every role), those who oversee every
# team (and supervise agents), and the managers. Roles are not ranked, so a rule names the set.
STAFF_ROLES: tuple[Role, ...] = (Role.AGENT, Role.SUPERVISOR, Role.MANAGER)
OVERSEEING_ROLES: tuple[Role, ...] = (Role.SUPERVISOR, Role.MANAGER)
MANAGER_ROLES: tuple[Role, ...] = (Role.MANAGER,)

ROLE_GROUPS: dict[str, str] = {
    Role.AGENT: "Agents",
    Role.SUPERVISOR: "Supervisors",
    Role.MANAGER: "Managers",
}

# Every model of the core; managers may do everything with each of them.
HELPDESK_MODELS = (
    "agentprofile",
    "apikey",
    "article",
    "cannedresponse",
    "clock",
    "clockescalation",
    "customer",
    "interaction",
    "notification",
    "policyversion",
    "team",
    "webhookdelivery",
    "webhooksubscription",
)

AGENT_PERMISSIONS = (
    "helpdesk.view_customer",
    "helpdesk.view_interaction",
    "helpdesk.add_interaction",
    "helpdesk.view_cannedresponse",
    "helpdesk.view_article",
)
SUPERVISOR_PERMISSIONS = AGENT_PERMISSIONS + (
    "helpdesk.view_team",
    "helpdesk.view_agentprofile",
    "helpdesk.change_agentprofile",
    "helpdesk.add_cannedresponse",
    "helpdesk.change_cannedresponse",
    "helpdesk.add_article",
    "helpdesk.change_article",
    "helpdesk.view_clock",
    "helpdesk.view_clockescalation",
    "helpdesk.view_notification",
)
MANAGER_PERMISSIONS = tuple(
    sorted(
        set(SUPERVISOR_PERMISSIONS)
        | {
            f"helpdesk.{action}_{model}"
            for model in HELPDESK_MODELS
            for action in ("add", "change", "delete", "view")
        }
    )
)

GROUP_PERMISSIONS: dict[str, tuple[str, ...]] = {
    ROLE_GROUPS[Role.AGENT]: AGENT_PERMISSIONS,
    ROLE_GROUPS[Role.SUPERVISOR]: SUPERVISOR_PERMISSIONS,
    ROLE_GROUPS[Role.MANAGER]: MANAGER_PERMISSIONS,
}


def apply_role_permissions(*, group_model, permission_model) -> list[str]:
    """Create the role groups and grant each the permissions of `GROUP_PERMISSIONS`.

    Takes the model classes so the data migration can pass its historical models. Only adds:
    permissions another app's migration grants a group (complaints for managers, ...) stay.
    Returns the permissions that do not exist (yet) in the database, so a caller can tell.
    """
    missing: list[str] = []
    for group_name, wanted in GROUP_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=group_name)
        found = _permissions(permission_model, wanted)
        missing.extend(sorted(set(wanted) - set(found)))
        group.permissions.add(*found.values())
    return sorted(set(missing))


def _permissions(permission_model, names: Iterable[str]) -> dict:
    by_app: dict[str, set[str]] = {}
    for name in names:
        app_label, codename = name.split(".", 1)
        by_app.setdefault(app_label, set()).add(codename)
    found = {}
    for app_label, codenames in by_app.items():
        rows = permission_model.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        for permission in rows:
            found[f"{app_label}.{permission.codename}"] = permission
    return found


def ensure_role_groups() -> list[str]:
    """The role groups with their permissions, created if missing (after a test database flush
    removed what the migration made, for example). Returns missing permissions."""
    return apply_role_permissions(group_model=Group, permission_model=Permission)


def user_role(user) -> Role | None:
    """The role of a member of staff, or None for anyone else (anonymous, inactive, customers).

    A superuser without an agent profile counts as a manager, so `createsuperuser` is enough to
    run the desk.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    try:
        profile = user.agent_profile
    except ObjectDoesNotExist:
        profile = None
    if profile is not None:
        return Role(profile.role)
    if user.is_superuser:
        return Role.MANAGER
    return None


def has_role(user, *roles: str) -> bool:
    """Whether the user holds one of `roles`. Roles are not ranked: name every role that may do
    the thing, e.g. `has_role(request.user, Role.SUPERVISOR, Role.MANAGER)`."""
    role = user_role(user)
    return role is not None and role in roles
