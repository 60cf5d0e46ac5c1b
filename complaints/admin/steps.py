"""The workflow's steps as admin pages: one form per step, each calling its service.

A step the service refuses (a wrong status, a missing date, a user who is not a manager) shows
the service's message and changes nothing: the service is atomic and checks before it writes.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from helpdesk.forms import apply_service_errors

from .. import forms as step_forms
from .. import services
from ..models import Complaint, LetterKind, LetterStatus, SentVia, Step


@dataclass(frozen=True)
class StepPage:
    """A step's page: its form, the service it runs and what the message says once done. The
    statuses it may be taken from are the workflow's (`complaints.models.TRANSITIONS`)."""

    step: Step
    form: type[forms.Form]
    run: Callable[..., object]
    done: str
    intro: str = ""

    @property
    def name(self) -> str:
        return self.step.value

    @property
    def label(self) -> str:
        return self.step.label


def _letter(data: dict) -> dict:
    return {"sent_via": data["sent_via"], "body": data.get("body", "")}


STEPS: dict[str, StepPage] = {
    page.name: page
    for page in (
        StepPage(Step.ACKNOWLEDGE, step_forms.AcknowledgeForm,
             lambda c, u, d: services.acknowledge_complaint(complaint=c, by=u, **_letter(d)),
             "acknowledged in writing",
             "The acknowledgement letter below is written from the template; edit it if you "
             "need to. The complaint procedure is enclosed as a PDF."),
        StepPage(Step.INVESTIGATE, step_forms.InvestigateForm,
             lambda c, u, d: services.start_investigation(complaint=c, by=u, note=d["note"]),
             "under investigation"),
        StepPage(Step.HOLDING, step_forms.HoldingLetterForm,
             lambda c, u, d: services.send_holding_letter(
                 complaint=c, by=u, expected_date=d["expected_date"], **_letter(d)),
             "sent a holding letter",
             "Tell the customer when they can expect a full response. The procedure is "
             "enclosed again."),
        StepPage(Step.RESOLVE, step_forms.ResolveForm,
             lambda c, u, d: services.resolve_complaint(
                 complaint=c, by=u, outcome=d["outcome"], root_cause=d["root_cause"],
                 remedy=d["remedy"], **_letter(d)),
             "resolved with a final response letter"),
        StepPage(Step.CLOSE, step_forms.CloseForm,
             lambda c, u, d: services.close_complaint(
                 complaint=c, by=u, customer_satisfied=d["customer_satisfied"], note=d["note"]),
             "closed"),
        StepPage(Step.REOPEN, step_forms.ReasonForm,
             lambda c, u, d: services.reopen_complaint(complaint=c, by=u, reason=d["reason"]),
             "reopened"),
        StepPage(Step.SEVERITY, step_forms.SeverityForm,
             lambda c, u, d: services.change_severity(
                 complaint=c, by=u, severity=d["severity"], note=d["note"]),
             "given its new severity",
             "The deadlines still counting move to the new severity's, counted from the "
             "receipt; the timeline records the new due dates."),
        StepPage(Step.WITHDRAW, step_forms.ReasonForm,
             lambda c, u, d: services.withdraw_complaint(complaint=c, by=u, reason=d["reason"]),
             "withdrawn"),
    )
}  # fmt: skip


def steps_for(complaint: Complaint) -> list[StepPage]:
    """The steps the complaint's status allows (the service checks again when one is taken)."""
    return [page for page in STEPS.values() if complaint.allows(page.step)]


def _initial(step: StepPage, complaint: Complaint) -> dict:
    initial: dict = {}
    if "sent_via" in step.form.base_fields:  # a letter: by post when there is no address
        initial["sent_via"] = SentVia.EMAIL if complaint.customer.email else SentVia.POST
    if step.name == "acknowledge":
        kind = LetterKind.ACKNOWLEDGEMENT
        initial["body"] = services.draft_text(complaint=complaint, kind=kind)
    if step.name == "severity":
        initial["severity"] = complaint.severity
    if step.name == "holding":
        draft = complaint.letters.filter(kind=LetterKind.HOLDING, status=LetterStatus.DRAFT).last()
        if draft is not None:
            initial["expected_date"] = draft.expected_date
    return initial


def step_view(model_admin, request: HttpRequest, object_id: str, step_name: str) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.select_related("customer", "owner", "policy_version"), pk=object_id
    )
    change_url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
    step = STEPS.get(step_name)
    if step is None or not model_admin.has_view_permission(request, complaint):
        raise PermissionDenied
    try:
        services.check_can_manage(request.user)
    except PermissionDenied as error:
        messages.error(request, f"{error} Nothing was changed.")
        return redirect(change_url)
    if request.method == "POST":
        form = step.form(request.POST)
        if form.is_valid():
            try:
                step.run(complaint, request.user, form.cleaned_data)
            except PermissionDenied as error:
                messages.error(request, f"{error} Nothing was changed.")
                return redirect(change_url)
            except ValidationError as error:
                apply_service_errors(form, error)
                messages.error(request, f"{'; '.join(error.messages)} Nothing was changed.")
            else:
                messages.success(request, f"{complaint.reference} is {step.done}.")
                return redirect(change_url)
    else:
        form = step.form(initial=_initial(step, complaint))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": complaint,
        "complaint": complaint,
        "step": step,
        "form": form,
        "title": f"{step.label}: {complaint.reference}",
        "change_url": change_url,
        "draft": complaint.letters.filter(kind=LetterKind.HOLDING, status=LetterStatus.DRAFT)
        .order_by("pk")
        .last()
        if step.name == "holding"
        else None,
    }
    return TemplateResponse(request, "admin/complaints/complaint/step_form.html", context)
