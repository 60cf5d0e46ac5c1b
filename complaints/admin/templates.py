"""Admin of the letter templates managers may edit (without one, the file template is used)."""

from django.contrib import admin

from helpdesk.models import Role
from helpdesk.roles import has_role

from ..models import LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ("kind", "subject", "updated_at")
    fields = ("kind", "subject", "body")

    def has_module_permission(self, request):
        return has_role(request.user, Role.MANAGER)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, Role.MANAGER)

    def has_add_permission(self, request):
        return has_role(request.user, Role.MANAGER)

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, Role.MANAGER)

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, Role.MANAGER)  # deleting one falls back to the file
