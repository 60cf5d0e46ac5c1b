"""Admin of tickets: a supervisor's window on every ticket and every email received, failed
ones included. Tickets change through the services (the desk), so the admin shows them
read-only; a failed inbound email can be retried from its kept bytes.

Who sees tickets and their timelines is the ticket access rule's (`tickets.access`: every member
of staff); supervisors and managers also see every inbound email (`helpdesk.roles`)."""

from django.contrib import admin, messages

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from helpdesk.roles import OVERSEEING_ROLES, has_role

from . import admin_mailbox  # noqa: F401 (registers the IMAP mailboxes' admin)
from .access import may_use_tickets, readable_tickets
from .models import (
    Attachment,
    Call,
    CallbackRequest,
    InboundEmail,
    InboundStatus,
    Message,
    Ticket,
    TicketEvent,
    Voicemail,
)
from .services import retry_inbound_email


class _ReadOnly(ReadOnlyAdminMixin):
    """Tickets and what they hold, read-only: who may see them is the ticket access rule's
    (`tickets.access`); `roles` narrows a model that is not a ticket's (inbound email)."""

    roles: tuple[str, ...] | None = None

    def may_view(self, request, obj=None) -> bool:
        if self.roles is not None:
            return has_role(request.user, *self.roles)
        return may_use_tickets(request.user)


class MessageInline(_ReadOnly, admin.StackedInline):
    model = Message
    extra = 0
    fields = ("created_at", "direction", "automatic", "author", "from_address", "to",
              "subject", "text", "quoted_text", "notes", "message_id", "sent_at", "send_error",
              "raw")  # fmt: skip
    readonly_fields = fields
    show_change_link = True


class TicketEventInline(_ReadOnly, admin.TabularInline):
    model = TicketEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "old", "new", "note")
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("reference", "subject", "customer", "channel", "status", "priority",
                    "assignee", "team", "created_at")  # fmt: skip
    list_filter = ("status", "channel", "priority", "team")
    list_select_related = ("customer", "assignee", "team")
    search_fields = ("=number", "subject", "customer__name", "customer__email")
    date_hierarchy = "created_at"
    inlines = [MessageInline, TicketEventInline]

    def get_queryset(self, request):
        return readable_tickets(request.user, super().get_queryset(request))


class AttachmentInline(_ReadOnly, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("filename", "content_type", "size", "inline", "content_id", "file")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("ticket", "direction", "from_address", "subject", "created_at", "sent_at")
    list_filter = ("direction", "automatic")
    list_select_related = ("ticket",)
    search_fields = ("message_id", "subject", "from_address", "ticket__number")
    inlines = [AttachmentInline]


@admin.register(InboundEmail)
class InboundEmailAdmin(_ReadOnly, admin.ModelAdmin):
    roles = OVERSEEING_ROLES
    list_display = ("received_at", "status", "from_address", "subject", "error", "ticket")
    list_filter = ("status",)
    list_select_related = ("ticket",)
    search_fields = ("message_id", "from_address", "subject", "error")
    date_hierarchy = "received_at"
    actions = ["retry"]

    @admin.action(description="Ingest the selected failed emails again", permissions=["view"])
    def retry(self, request, queryset):
        done = still_failed = 0
        for inbound in queryset.filter(status=InboundStatus.FAILED):
            result = retry_inbound_email(inbound=inbound)
            if result.kind == "failed":
                still_failed += 1
            else:
                done += 1
        messages.info(request, f"{done} ingested, {still_failed} still failed.")


# -- the phone channel: calls, voicemails and callbacks, read-only (they change through the desk)


class CallInline(_ReadOnly, admin.TabularInline):
    model = Call
    extra = 0
    fields = ("started_at", "direction", "number", "outcome", "duration", "agent", "notes")
    readonly_fields = fields


class VoicemailInline(_ReadOnly, admin.TabularInline):
    model = Voicemail
    extra = 0
    fields = ("received_at", "number", "duration", "recording", "transcript", "returned_at",
              "returned_by", "notes")  # fmt: skip
    readonly_fields = fields


class CallbackRequestInline(_ReadOnly, admin.TabularInline):
    model = CallbackRequest
    extra = 0
    fields = ("requested_at", "number", "preferred_time", "note", "done_at", "done_by")
    readonly_fields = fields


TicketAdmin.inlines = [*TicketAdmin.inlines, CallInline, VoicemailInline, CallbackRequestInline]


@admin.register(Call)
class CallAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("started_at", "direction", "number", "customer", "outcome", "duration",
                    "agent", "ticket")  # fmt: skip
    list_filter = ("direction", "outcome")
    list_select_related = ("customer", "agent", "ticket")
    search_fields = ("number", "customer__name", "=ticket__number", "notes")
    date_hierarchy = "started_at"


@admin.register(Voicemail)
class VoicemailAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("received_at", "number", "duration", "ticket", "returned_at", "returned_by")
    list_filter = (("returned_at", admin.EmptyFieldListFilter),)
    list_select_related = ("ticket", "returned_by")
    search_fields = ("number", "transcript", "=ticket__number")
    date_hierarchy = "received_at"


@admin.register(CallbackRequest)
class CallbackRequestAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("requested_at", "number", "preferred_time", "ticket", "done_at", "done_by")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)
    list_select_related = ("ticket", "done_by")
    search_fields = ("number", "note", "=ticket__number")
    date_hierarchy = "requested_at"
