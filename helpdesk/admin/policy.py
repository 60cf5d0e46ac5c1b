"""Admin: policy. The change list is the revision history; "add" is the publish form. Published
versions are immutable, so an existing version is shown read-only and cannot be deleted."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from helpdesk.forms import apply_service_errors
from helpdesk.models import PolicyReview, PolicyVersion, Role
from helpdesk.policy import PolicyError
from helpdesk.policy.errors import shown_problems
from helpdesk.policy.limits import MAX_DOCUMENT_BYTES
from helpdesk.roles import has_role
from helpdesk.selectors.policy import (
    policy_version_history,
    policy_version_in_force,
    service_policy_for,
)
from helpdesk.services.policy import check_policy_publication, publish_policy_version
from helpdesk.services.policy_review import record_policy_review


class PublishPolicyForm(forms.ModelForm):
    """A policy document, uploaded or pasted, with the approval and the note for the history.
    `clean()` runs the same checks as publishing, so every problem shows as a form error."""

    document_file = forms.FileField(
        label="Upload",
        required=False,
        help_text=f"A policy document (TOML, UTF-8), at most {MAX_DOCUMENT_BYTES // 1024} KB.",
    )
    document_text = forms.CharField(
        label="Or paste",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "class": "vLargeTextField"}),
    )

    class Meta:
        model = PolicyVersion
        fields = ["approved_by", "change_note"]
        labels = {"approved_by": "Approved by", "change_note": "Change note"}
        help_texts = {
            "approved_by": "Who approved this version (the approval record of this publication).",
            "change_note": "What changed, for the revision history.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["change_note"].required = True

    def clean_document_file(self):
        upload = self.cleaned_data.get("document_file")
        if not upload:
            return ""
        if upload.size > MAX_DOCUMENT_BYTES:
            raise ValidationError(
                f"The file is too large ({upload.size // 1024} KB); "
                f"at most {MAX_DOCUMENT_BYTES // 1024} KB."
            )
        try:
            return b"".join(upload.chunks()).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text.") from None

    def clean_document_text(self):
        text = self.cleaned_data.get("document_text", "")
        if len(text.encode("utf-8")) > MAX_DOCUMENT_BYTES:
            raise ValidationError(f"The document is longer than {MAX_DOCUMENT_BYTES // 1024} KB.")
        return text

    def clean(self):
        cleaned = super().clean()
        if self.has_error("document_file") or self.has_error("document_text"):
            return cleaned
        uploaded, pasted = cleaned.get("document_file"), cleaned.get("document_text", "")
        if uploaded and pasted.strip():
            raise ValidationError("Upload a file or paste the document, not both.")
        document = uploaded or pasted
        if not document.strip():
            raise ValidationError("Upload a policy document or paste it.")
        cleaned["document"] = document
        try:
            check_policy_publication(document=document, approved_by=cleaned.get("approved_by", ""))
        except PolicyError as error:
            approval = [p for p in error.problems if p.startswith("approved_by:")]
            if approval and not self.has_error("approved_by"):
                self.add_error("approved_by", approval[0].removeprefix("approved_by:").strip())
            document_problems = [p for p in error.problems if not p.startswith("approved_by:")]
            for problem in shown_problems(document_problems):
                self.add_error(None, problem)
        return cleaned


class PolicyReviewForm(forms.ModelForm):
    """Who reviewed the version in force and what the review found."""

    class Meta:
        model = PolicyReview
        fields = ["reviewed_by", "note"]
        labels = {"reviewed_by": "Reviewed by", "note": "What the review found"}


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "effective",
        "status",
        "approved_by",
        "published_at",
        "published_by",
        "change_note",
    ]
    list_display_links = ["version"]

    class Media:
        css = {"all": ["helpdesk/admin/policy.css"]}

    list_filter = ["effective"]
    search_fields = ["version", "approved_by", "change_note"]
    ordering = ["-published_at", "-pk"]
    add_form = PublishPolicyForm
    add_fieldsets = [
        (None, {"fields": ["document_file", "document_text"]}),
        ("Approval", {"fields": ["approved_by", "change_note"]}),
    ]
    view_fields = [
        "version",
        "effective",
        "status",
        "approved_by",
        "change_note",
        "published_at",
        "published_by",
        "reviews",
        "document_as_published",
    ]

    def get_queryset(self, request):
        return policy_version_history()

    @admin.display(description="Status", ordering="status")
    def status(self, obj):
        return getattr(obj, "status", "")

    @admin.display(description="Document")
    def document_as_published(self, obj):
        # styled by helpdesk/admin/policy.css: no style attributes under the CSP
        return format_html('<pre class="policy-document">{}</pre>', obj.document)

    @admin.display(description="Reviews")
    def reviews(self, obj):
        done = format_html_join(
            "",
            "<li>{} by {}: {}</li>",
            ((r.reviewed_at.strftime("%Y-%m-%d %H:%M"), r.reviewed_by, r.note)
             for r in obj.reviews.order_by("-reviewed_at", "-pk")),
        )  # fmt: skip
        record = ""
        if obj.pk == getattr(policy_version_in_force(), "pk", None):
            url = reverse("admin:helpdesk_policyversion_review")
            record = format_html('<a href="{}">Record a review</a>', url)
        return format_html("<ul>{}</ul>{}", done, record) if done else record or "None yet"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("review/", wrap(self.review_view), name="helpdesk_policyversion_review"),
            *super().get_urls(),
        ]

    def review_view(self, request):
        """Record a review of the version in force (`record_policy_review`); managers only."""
        if not (request.user.is_superuser or has_role(request.user, Role.MANAGER)):
            raise PermissionDenied
        version = policy_version_in_force()
        if version is None:
            messages.error(request, "No policy version is in force: there is nothing to review.")
            return redirect("admin:helpdesk_policyversion_changelist")
        change_url = reverse("admin:helpdesk_policyversion_change", args=[version.pk])
        form = PolicyReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                record_policy_review(
                    reviewed_by=form.cleaned_data["reviewed_by"],
                    note=form.cleaned_data["note"],
                    recorded_by=request.user,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            except PolicyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"The review of {version} is recorded.")
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Record a review of policy {version.version}",
            "version": version,
            "months": service_policy_for(version).document.review_every_months,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/helpdesk/policyversion/review_form.html", context)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return [(None, {"fields": self.view_fields})]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.view_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {"title": "Publish a policy version", **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    def save_form(self, request, form, change):
        if change:
            raise PermissionDenied  # published versions are immutable
        return publish_policy_version(
            document=form.cleaned_data["document"],
            approved_by=form.cleaned_data["approved_by"],
            change_note=form.cleaned_data["change_note"],
            published_by=request.user,
        )

    def save_model(self, request, obj, form, change):
        pass  # save_form published it

    def save_related(self, request, form, formsets, change):
        pass  # a policy version has no related objects to save

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
