"""Admin: SLA clocks, the escalations they fired and staff notifications.

Clocks change only through the services (they keep the policy's rules), so the admin shows them
read-only and offers actions that call those services: check now, pause, resume, stop.
"""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from helpdesk.models import Clock, ClockEscalation, Notification
from helpdesk.policy.labels import target_label
from helpdesk.selectors.cases import case_key, case_links
from helpdesk.selectors.sla import clock_status
from helpdesk.services import sla


class CaseColumnsMixin:
    """The "target" and "case" columns of a list of clocks (or of rows with a `clock`): the
    target in words and the case by its name, linked to its page; every case of the page is
    named in one query per kind of case."""

    def _clock(self, obj) -> Clock:
        return obj if isinstance(obj, Clock) else obj.clock

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        rows = list(changelist.result_list)
        links = case_links([self._clock(row) for row in rows])
        for row in rows:
            row.case_link = links[case_key(self._clock(row))]
        return changelist

    @admin.display(description="target", ordering="target")
    def target_label(self, obj):
        return target_label(self._clock(obj).target)

    @admin.display(description="case", ordering="case_id")
    def case_label(self, obj):
        link = getattr(obj, "case_link", None)
        if link is None:  # outside the list (a detail page): this one case
            clock = self._clock(obj)
            link = case_links([clock])[case_key(clock)]
        if not link.url:
            return link.label
        return format_html('<a href="{}">{}</a>', link.url, link.label)


class ClockEscalationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ClockEscalation
    fields = ("level", "notified_role", "fired_at")
    readonly_fields = fields


@admin.register(Clock)
class ClockAdmin(CaseColumnsMixin, admin.ModelAdmin):
    list_display = (
        "target_label",
        "case_label",
        "status",
        "state",
        "outcome",
        "due_at",
        "assignee",
        "escalation_level",
        "policy_version",
    )
    list_filter = ("state", "outcome", "target", "policy_version")
    list_select_related = ("assignee", "case_type", "policy_version")
    search_fields = ("target", "case_id", "assignee__username")
    date_hierarchy = "due_at"
    ordering = ("-due_at",)
    inlines = [ClockEscalationInline]
    actions = ["check_now", "pause", "resume", "stop"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Clock._meta.fields]

    def has_add_permission(self, request):
        return False  # clocks start with their case, through the services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="now")
    def status(self, obj):
        return clock_status(obj, now=timezone.now()).upper()

    def _each(self, request, queryset, service, verb):
        for clock in queryset.order_by("pk"):
            service(clock=clock)
        self.message_user(request, f"{verb} {queryset.count()} clock(s).", messages.SUCCESS)

    @admin.action(description="Check now (record a due warning, breach or escalation)")
    def check_now(self, request, queryset):
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            sla.check_clock(clock_id=pk)
        self.message_user(request, "Checked.", messages.SUCCESS)

    @admin.action(description="Pause the selected clocks")
    def pause(self, request, queryset):
        self._each(request, queryset, sla.pause_clock, "Paused")

    @admin.action(description="Resume the selected clocks")
    def resume(self, request, queryset):
        self._each(request, queryset, sla.resume_clock, "Resumed")

    @admin.action(description="Stop the selected clocks")
    def stop(self, request, queryset):
        self._each(request, queryset, sla.stop_clock, "Stopped")


@admin.register(ClockEscalation)
class ClockEscalationAdmin(CaseColumnsMixin, admin.ModelAdmin):
    list_display = ("target_label", "case_label", "level", "notified_role", "fired_at")
    list_filter = ("notified_role", "level")
    list_select_related = ("clock__case_type",)
    raw_id_fields = ("clock",)
    date_hierarchy = "fired_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ClockEscalation._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "short_message", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter))
    list_select_related = ("recipient",)
    search_fields = ("message", "recipient__username")
    raw_id_fields = ("recipient", "clock")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="message")
    def short_message(self, obj):
        return obj.message[:80]
