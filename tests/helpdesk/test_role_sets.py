"""The role sets every rule names live once, in `helpdesk.roles`."""

from helpdesk.models import Role
from helpdesk.policy.model import NOTIFY
from helpdesk.roles import MANAGER_ROLES, OVERSEEING_ROLES, STAFF_ROLES


def test_the_staff_are_every_role_and_the_overseers_and_managers_are_among_them():
    assert set(STAFF_ROLES) == set(Role)
    assert set(OVERSEEING_ROLES) == {Role.SUPERVISOR, Role.MANAGER}
    assert set(MANAGER_ROLES) == {Role.MANAGER}


def test_the_policy_can_notify_exactly_the_staff_roles():
    # The policy engine is pure Python (no Django), so it spells the roles out; they must agree.
    assert set(NOTIFY) == {role.value for role in STAFF_ROLES}
