"""Admin: people. Thin: where a rule applies (a role moves groups, presence records when it
changed, a phone number is normalised) the admin calls the service that keeps it."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from helpdesk.customer_access import (
    CustomerAction,
    may,
    readable_customers,
    readable_interactions,
)
from helpdesk.forms import field_checked
from helpdesk.models import AgentProfile, Customer, Interaction, Role, Team
from helpdesk.policy import PolicyError
from helpdesk.roles import has_role, user_role
from helpdesk.selectors.cases import case_link
from helpdesk.selectors.policy import policy_in_force
from helpdesk.services.people import normalise_email, normalise_phone, set_presence, set_role
from helpdesk.services.teams import check_team_calendar, known_calendars

User = get_user_model()


def _may_set_roles(user) -> bool:
    """Only managers give roles: a supervisor may edit agents but not promote anyone."""
    return user.is_superuser or has_role(user, Role.MANAGER)


class TeamForm(forms.ModelForm):
    """A team and the policy calendar it works to, checked against the version in force."""

    class Meta:
        model = Team
        fields = ("name", "calendar")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            known = known_calendars(policy_in_force().policy)
        except PolicyError:
            return  # no policy in force: the check below says so on save
        self.fields["calendar"].help_text = f"Blank: the default [calendar]; {known}."

    def clean_calendar(self):
        try:
            return field_checked(
                "calendar", check_team_calendar, self.cleaned_data.get("calendar", "")
            )
        except PolicyError as error:
            raise ValidationError(str(error)) from None


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "calendar")
    search_fields = ("name",)


class AgentProfileInline(admin.StackedInline):
    model = AgentProfile
    fk_name = "user"
    can_delete = False
    verbose_name = "staff profile"
    fields = ("role", "team", "supervisor", "presence", "max_concurrent_chats")
    autocomplete_fields = ("team", "supervisor")

    def get_readonly_fields(self, request, obj=None):
        return () if _may_set_roles(request.user) else ("role",)


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Django's user admin with the staff profile inline."""

    inlines = [AgentProfileInline]
    list_display = (*UserAdmin.list_display, "role")

    @admin.display(description="role")
    def role(self, obj):
        role = user_role(obj)
        return role.label if role is not None else "-"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent_profile")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = AgentProfile.objects.filter(user=form.instance).first()
        if profile is not None:
            set_role(profile=profile, role=profile.role)


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "team", "supervisor", "presence", "max_concurrent_chats")
    list_filter = ("role", "presence", "team")
    list_select_related = ("user", "team", "supervisor")
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")
    autocomplete_fields = ("user", "team", "supervisor")

    def get_readonly_fields(self, request, obj=None):
        readonly = ["presence_changed_at"]
        if obj is not None:
            readonly.append("user")
        if not _may_set_roles(request.user):
            readonly.append("role")
        return readonly

    def save_model(self, request, obj, form, change):
        presence = obj.presence
        if change and "presence" in form.changed_data:
            obj.presence = form.initial["presence"]  # set_presence records the change
        super().save_model(request, obj, form, change)
        set_presence(profile=obj, presence=presence)
        set_role(profile=obj, role=obj.role)


class CustomerRule:
    """Who sees and edits customers and their history here: the customer access rule
    (`helpdesk.customer_access`), not Django's model permissions (so a superuser with an
    agent's role edits nothing, as on every other surface)."""

    def has_module_permission(self, request):
        return may(user=request.user, action=CustomerAction.READ)

    def has_view_permission(self, request, obj=None):
        return may(user=request.user, action=CustomerAction.READ)

    def has_add_permission(self, request, *args):
        return may(user=request.user, action=CustomerAction.MANAGE)

    def has_change_permission(self, request, obj=None):
        return may(user=request.user, action=CustomerAction.MANAGE)

    def has_delete_permission(self, request, obj=None):
        return may(user=request.user, action=CustomerAction.MANAGE)


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ("name", "email", "phone", "external_id", "user")

    def clean_email(self):
        return self._normalised("email", normalise_email)

    def clean_phone(self):
        return self._normalised("phone", normalise_phone)

    def _normalised(self, name, normalise):
        return field_checked(name, normalise, self.cleaned_data.get(name, ""))


class InteractionInline(ReadOnlyAdminMixin, CustomerRule, admin.TabularInline):
    """The customer's history, read-only: interactions are recorded by the channels."""

    model = Interaction
    fields = ("occurred_at", "channel", "kind", "summary", "agent", "case_reference")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ("-occurred_at", "-pk")

    @admin.display(description="case")
    def case_reference(self, obj):
        if obj.case_type_id is None or obj.case_id is None:
            return "-"
        case = case_link(obj.case_type_id, obj.case_id)  # "Ticket #1000", linked
        return format_html('<a href="{}">{}</a>', case.url, case.label) if case.url else case.label

    def get_queryset(self, request):
        rows = super().get_queryset(request).select_related("agent", "case_type")
        return readable_interactions(request.user, rows)


@admin.register(Customer)
class CustomerAdmin(CustomerRule, admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ("__str__", "email", "phone", "external_id", "created_at")
    search_fields = ("name", "email", "phone", "external_id")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    inlines = [InteractionInline]

    def get_queryset(self, request):
        return readable_customers(request.user, super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """A phone number is found however it is typed ("07700 900-123")."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            phone = normalise_phone(search_term)
        except ValidationError:
            phone = ""
        if phone:
            results |= queryset.filter(phone__contains=phone)
        return results, may_have_duplicates


@admin.register(Interaction)
class InteractionAdmin(ReadOnlyAdminMixin, CustomerRule, admin.ModelAdmin):
    """Read-only: the history is written by `record_interaction`, never edited."""

    list_display = ("occurred_at", "customer", "channel", "kind", "agent")
    list_filter = ("channel",)
    list_select_related = ("customer", "agent")
    search_fields = ("customer__name", "customer__email", "customer__phone", "kind", "summary")
    date_hierarchy = "occurred_at"

    def get_queryset(self, request):
        return readable_interactions(request.user, super().get_queryset(request))
