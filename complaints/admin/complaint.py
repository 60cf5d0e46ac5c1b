"""Admin of complaints: the managers' workspace.

The list shows the next deadline counting down; a complaint's page shows its timeline and
letters, and managers get a button for each step its status allows (see `steps.py`). Nothing
is edited or deleted here directly: logging and every step go through `complaints.services`.
Who may do what is the complaint access rule's (`complaints.access`): any member of staff may
log and read complaints, only managers take the steps.
"""

from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from helpdesk.forms import apply_service_errors
from helpdesk.selectors.cases import case_link
from helpdesk.services.people import find_or_create_customer

from .. import services
from ..access import ComplaintAction, may, readable_complaints
from ..forms import LogComplaintForm
from ..models import Complaint, ComplaintEvent, Letter
from ..selectors import overdue_q
from ..services.letters import PROCEDURE_FILENAME
from ..sources import query_prefill, resolve_source, source_prefill
from .review import review_view
from .steps import step_view, steps_for

AMBER_DAYS = 1.0  # a deadline closer than this shows amber


class _ReadOnlyInline(ReadOnlyAdminMixin):
    def may_view(self, request, obj=None) -> bool:
        return may(user=request.user, action=ComplaintAction.READ, complaint=obj)


class ComplaintEventInline(_ReadOnlyInline, admin.TabularInline):
    model = ComplaintEvent
    verbose_name_plural = "Timeline"
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields


class LetterInline(_ReadOnlyInline, admin.StackedInline):
    model = Letter
    fields = ("kind", "status", "sent_via", "to_address", "expected_date", "subject", "body",
              "enclosure_link", "created_at", "sent_at", "sent_by", "emailed_at",
              "email_error")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="Enclosure")
    def enclosure_link(self, obj):
        if not obj.enclosure:
            return "—"
        url = reverse("admin:complaints_letter_enclosure", args=[obj.complaint_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, PROCEDURE_FILENAME)


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", "Overdue"), ("no", "On time")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(overdue_q(timezone.now()))
        if self.value() == "no":
            return queryset.exclude(overdue_q(timezone.now()))
        return queryset


def deadline_badge(complaint: Complaint, now=None) -> str:
    """Days left to the next deadline: red when overdue, amber when under a day is left."""
    due = complaint.next_deadline()
    if due is None:
        return "—"
    days = (due - (now or timezone.now())).total_seconds() / 86400
    if days < 0:
        return format_html('<span class="deadline overdue">overdue {} d</span>', f"{-days:.1f}")
    # Coloured by the change list's stylesheet (no style attributes under the CSP).
    state = "close" if days < AMBER_DAYS else "ok"
    return format_html('<span class="deadline {}">{} d left</span>', state, f"{days:.1f}")


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("reference", "customer", "status", "owner", "days_left", "category",
                    "channel", "severity", "received_at")  # fmt: skip
    list_filter = ("status", OverdueFilter, "category", ("owner", admin.RelatedOnlyFieldListFilter),
                   "channel", "severity")  # fmt: skip
    list_select_related = ("customer", "owner")
    search_fields = ("reference", "customer__name", "customer__email", "description")
    date_hierarchy = "received_at"
    inlines = [LetterInline, ComplaintEventInline]
    fieldsets = [
        (None, {"fields": ("reference", "status", "customer", "channel", "received_at",
                           "received_by", "owner", "source_link", "policy_version")}),
        ("Complaint", {"fields": ("category", "severity", "description", "desired_outcome")}),
        ("Deadlines", {"fields": ("acknowledge_due_at", "acknowledged_at", "resolution_due_at",
                                  "respond_by", "expected_response_date",
                                  "holding_letter_needed_since", "days_left")}),
        ("Outcome", {"fields": ("outcome", "root_cause", "remedy", "resolved_at",
                                "customer_satisfied", "closed_at")}),
    ]  # fmt: skip
    readonly_fields = [f for _, opts in fieldsets for f in opts["fields"]]
    change_form_template = "admin/complaints/complaint/change_form.html"
    change_list_template = "admin/complaints/complaint/change_list.html"

    # -- who may do what: the complaint access rule (`complaints.access`) ---------------------
    def has_module_permission(self, request):
        return may(user=request.user, action=ComplaintAction.READ)

    def has_view_permission(self, request, obj=None):
        return may(user=request.user, action=ComplaintAction.READ, complaint=obj)

    def has_add_permission(self, request):
        return may(user=request.user, action=ComplaintAction.LOG)

    def get_queryset(self, request):
        return readable_complaints(request.user, super().get_queryset(request))

    def has_change_permission(self, request, obj=None):
        return False  # every change is a step through a service

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is ever deleted: withdrawn is a status

    @admin.display(description="Next deadline")
    def days_left(self, obj):
        return deadline_badge(obj)

    @admin.display(description="Came from")
    def source_link(self, obj):
        if obj.source_type_id is None:
            return "—"
        source = case_link(obj.source_type_id, obj.source_id)  # "Ticket #1000", linked
        if not source.url:
            return source.label
        return format_html('<a href="{}">{}</a>', source.url, source.label)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("review/", wrap(lambda r: review_view(self, r)), name="complaints_review"),
            path("<int:object_id>/letter/<int:letter_id>/enclosure/",
                 wrap(lambda r, object_id, letter_id: self.enclosure_view(r, object_id, letter_id)),
                 name="complaints_letter_enclosure"),
            path("<path:object_id>/step/<str:step_name>/",
                 wrap(lambda r, object_id, step_name: step_view(self, r, object_id, step_name)),
                 name="complaints_complaint_step"),
            *super().get_urls(),
        ]  # fmt: skip

    def enclosure_view(self, request, object_id: int, letter_id: int):
        """The PDF enclosed with a letter, to staff who may read the complaint."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter, pk=letter_id, complaint_id=object_id)
        if not letter.enclosure:
            raise Http404("This letter has no enclosure.")
        return FileResponse(
            letter.enclosure.open("rb"),
            content_type="application/pdf",
            filename=PROCEDURE_FILENAME,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        complaint = self.get_object(request, object_id)
        if complaint is not None and may(
            user=request.user, action=ComplaintAction.STEP, complaint=complaint
        ):
            extra_context["steps"] = [
                (step, reverse("admin:complaints_complaint_step", args=[complaint.pk, step.name]))
                for step in steps_for(complaint)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """Log a complaint: the form asks for what logging needs; `log_complaint` decides."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        source = self._source(request.POST.get("source") or request.GET.get("source", ""))
        # What the link brought (the surveys' follow-up: customer, channel, description), then
        # what the ticket or chat it came from says.
        initial = {**query_prefill(request.GET), **source_prefill(source)}
        form = LogComplaintForm(request.POST or None, initial=initial)
        # Find the customer by name, email or phone, as the customers' admin searches.
        field = form.fields["customer"]
        field.widget = AutocompleteSelect(Complaint._meta.get_field("customer"), self.admin_site)
        field.widget.choices = field.choices
        if request.method == "POST" and form.is_valid():
            try:
                complaint = self._log(request, form.cleaned_data, source)
            except PermissionDenied as error:
                messages.error(request, str(error))
            except ValidationError as error:
                apply_service_errors(form, error)
                messages.error(
                    request, "The complaint was not logged: " + "; ".join(error.messages)
                )
            else:
                self.log_addition(request, complaint, [{"added": {}}])
                messages.success(request, f"Complaint {complaint.reference} logged; "
                                 f"{complaint.owner} has been notified.")  # fmt: skip
                return redirect("admin:complaints_complaint_change", complaint.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Log a complaint",
            "source": source,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/complaints/complaint/log_form.html", context)

    @staticmethod
    def _source(value: str):
        return resolve_source(value)

    @staticmethod
    @transaction.atomic
    def _log(request, data, source) -> Complaint:
        customer = data["customer"] or find_or_create_customer(
            name=data["customer_name"], email=data["customer_email"], phone=data["customer_phone"]
        )
        return services.log_complaint(
            customer=customer,
            channel=data["channel"],
            category=data["category"],
            severity=data["severity"],
            description=data["description"],
            desired_outcome=data["desired_outcome"],
            owner=data["owner"],
            received_by=request.user,
            received_at=data["received_at"],
            source=source,
        )
