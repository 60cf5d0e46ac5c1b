"""The admin's read-only pages and inlines, for every app: records the services keep (a ticket's
messages, a chat's transcript, a complaint's timeline, survey answers, a customer's history)
are shown here and never added, changed or deleted, so no admin page can go round a service.

Who may see them is the record's access rule: a class says it in `may_view`; without one, the
model permissions decide (Django's default)."""


class ReadOnlyAdminMixin:
    """Put first in the bases of a ModelAdmin or an inline: `class X(ReadOnlyAdminMixin,
    admin.TabularInline)`. Override `may_view(request, obj=None)` with the access rule."""

    extra = 0  # an inline shows no empty rows to fill in
    can_delete = False  # nor a delete box

    def may_view(self, request, obj=None) -> bool:
        """Whether the user may see these records (or this one): the model permissions unless
        a subclass names its access rule."""
        return super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.may_view(request)

    def has_view_permission(self, request, obj=None):
        return self.may_view(request, obj)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
