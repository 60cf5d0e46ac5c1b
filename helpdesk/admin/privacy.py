"""The record of what retention removed (kind, case, when, how many items; never the value),
read-only: only the daily task writes it."""

from django.contrib import admin

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from helpdesk.models import RetentionRecord


@admin.register(RetentionRecord)
class RetentionRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("removed_at", "kind", "case_type", "case_id", "items")
    list_filter = ("kind", "case_type")
    list_select_related = ("case_type",)
    date_hierarchy = "removed_at"
