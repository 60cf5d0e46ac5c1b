"""Surveys in the admin: read-only records (answers are the customer's own), shown to whom the
survey access rule (`surveys.access`) lets read them."""

from django.contrib import admin

from helpdesk.admin.read_only import ReadOnlyAdminMixin
from surveys.access import SurveyAction, may, readable_survey_responses
from surveys.models import FollowUp, SurveyDigest, SurveyInvitation, SurveyResponse


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    def may_view(self, request, obj=None) -> bool:
        return may(user=request.user, action=SurveyAction.READ)


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "channel",
        "customer",
        "agent",
        "created_at",
        "expires_at",
        "used_at",
    )
    list_filter = ("channel",)
    exclude = ("key",)


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    list_display = ("invitation", "answered", "score", "submitted_at")
    list_filter = ("answered", "score")

    def get_queryset(self, request):
        return readable_survey_responses(request.user, super().get_queryset(request))


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ("response", "supervisor", "status", "due_at", "closed_at")
    list_filter = ("status",)


@admin.register(SurveyDigest)
class SurveyDigestAdmin(ReadOnlyAdmin):
    list_display = ("period_start", "period_end", "sent_at", "recipients")
