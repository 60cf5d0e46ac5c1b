"""Chats in the admin, read-only: the record of what was said (redacted) and done. Secure-form
values are never shown here (only that a detail was given, and who saw it). Only the chats the
user may read (`chat.access`) are listed or opened, whatever model permissions they hold."""

from django.contrib import admin

from chat.access import ChatAction, may, readable_chats
from chat.models import ChatMessage, ChatSession, Redaction, SecureDetail
from helpdesk.admin.read_only import ReadOnlyAdminMixin


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    pass


class MessageInline(ReadOnlyInline):
    model = ChatMessage
    fields = ("seq", "sender", "author", "text", "created_at")


class RedactionInline(ReadOnlyInline):
    model = Redaction
    fields = ("kind", "message", "at")


class SecureDetailInline(ReadOnlyInline):
    model = SecureDetail
    fields = ("label", "created_at", "purge_after", "purged_at")


@admin.register(ChatSession)
class ChatSessionAdmin(admin.ModelAdmin):
    list_display = ("pk", "customer", "status", "team", "agent", "started_at", "closed_at")
    list_filter = ("status", "team")
    search_fields = ("customer__name", "customer__email", "summary")
    date_hierarchy = "started_at"
    list_select_related = ("customer", "team", "agent")
    exclude = ("key",)
    inlines = [MessageInline, RedactionInline, SecureDetailInline]

    def get_queryset(self, request):
        return readable_chats(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        if obj is not None and not may(user=request.user, session=obj, action=ChatAction.READ):
            return False
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
