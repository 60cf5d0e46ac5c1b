"""One read-only mixin (`helpdesk.admin.read_only.ReadOnlyAdminMixin`) for every record the
services keep: the admin shows them to whom their access rule lets see them, and never adds,
changes or deletes one."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from helpdesk.models import Role
from tests.helpdesk.factories import AgentFactory


def _read_only_admins():
    """Every registered admin and inline that uses the mixin."""
    found = []
    for model_admin in admin.site._registry.values():
        if isinstance(model_admin, ReadOnlyAdminMixin):
            found.append(model_admin)
        for inline_class in model_admin.inlines:
            if issubclass(inline_class, ReadOnlyAdminMixin):
                found.append(inline_class(model_admin.model, admin.site))
    return found


def test_the_records_of_every_app_use_the_one_mixin():
    apps = {type(model_admin).__module__.split(".")[0] for model_admin in _read_only_admins()}
    assert {"helpdesk", "tickets", "chat", "complaints", "surveys"} <= apps


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.MANAGER])
def test_nobody_adds_changes_or_deletes_a_kept_record_in_the_admin(role):
    request = RequestFactory().get("/admin/")
    request.user = AgentFactory(role=role).user
    request.user.is_superuser = True  # even a superuser: the records change through services
    for model_admin in _read_only_admins():
        name = type(model_admin).__qualname__
        assert not model_admin.has_add_permission(request, None), name
        assert not model_admin.has_change_permission(request, None), name
        assert not model_admin.has_delete_permission(request, None), name
