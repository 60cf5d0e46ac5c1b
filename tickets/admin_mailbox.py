"""Admin of the IMAP mailboxes the desk polls: managers set them up, supervisors see how their
polls went (the last error included).

The password is write-only: the form never shows the stored one, and leaving the field empty
keeps it. It is kept encrypted (`tickets.encryption`)."""

from django import forms
from django.contrib import admin, messages

from helpdesk.roles import MANAGER_ROLES, OVERSEEING_ROLES, has_role

from .models import Mailbox
from .services.imap import poll_mailbox

MANAGERS = MANAGER_ROLES
VIEWERS = OVERSEEING_ROLES


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown. Leave empty to keep the stored password.",
    )

    class Meta:
        model = Mailbox
        fields = ("name", "host", "port", "security", "username", "folder", "is_active")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("password"):
            self.add_error("password", "A new mailbox needs its password.")
        return cleaned

    def save(self, commit=True):
        mailbox = super().save(commit=False)
        if self.cleaned_data.get("password"):
            mailbox.set_password(self.cleaned_data["password"])
        if commit:
            mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "username", "host", "folder", "is_active", "last_polled_at",
                    "last_error")  # fmt: skip
    list_filter = ("is_active",)
    search_fields = ("name", "host", "username")
    fieldsets = (
        (None, {"fields": ("name", "is_active")}),
        ("Server", {"fields": ("host", "port", "security", "username", "password", "folder")}),
        ("Polling", {"fields": ("last_polled_at", "last_success_at", "last_error", "last_uid",
                                "uidvalidity")}),
    )  # fmt: skip
    readonly_fields = ("last_polled_at", "last_success_at", "last_error", "last_uid",
                       "uidvalidity")  # fmt: skip
    actions = ["poll_now"]

    def has_module_permission(self, request):
        return has_role(request.user, *VIEWERS)

    def has_view_permission(self, request, obj=None):
        return has_role(request.user, *VIEWERS)

    def has_add_permission(self, request):
        return has_role(request.user, *MANAGERS)

    def has_change_permission(self, request, obj=None):
        return has_role(request.user, *MANAGERS)

    def has_delete_permission(self, request, obj=None):
        return has_role(request.user, *MANAGERS)

    @admin.action(description="Poll the selected mailboxes now", permissions=["change"])
    def poll_now(self, request, queryset):
        for mailbox in queryset:
            result = poll_mailbox(mailbox=mailbox)
            level = messages.INFO if result.ok else messages.ERROR
            self.message_user(request, f"{mailbox.name}: {result}", level)
