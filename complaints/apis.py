"""The complaints endpoints of the REST API (/api/v1/complaints/): log, list, read, and each
workflow step as a POST action, translating HTTP to a call of `complaints.services` and back.
Conventions: `helpdesk.api`. Any member of staff may log and read; the steps are the managers'
(the services check the role of the user, or of the API key's owner)."""

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from helpdesk.api import routing  # noqa: F401  (the <id:...> converter)
from helpdesk.api.base import ApiListView, ApiView
from helpdesk.api.idempotency import IDEMPOTENCY_PARAMETER
from helpdesk.api.schema import responses
from helpdesk.api.serializers import customer_from
from helpdesk.models import Scope

from . import services
from .access import ROLES, ComplaintAction, check_complaint_access, readable_complaints
from .models import Complaint
from .serializers import (
    AcknowledgeInput,
    CloseInput,
    ComplaintApiFilter,
    ComplaintDetailOutput,
    ComplaintLogInput,
    ComplaintOutput,
    ComplaintResolveInput,
    HoldingLetterInput,
    NoteInput,
    ReasonInput,
    SeverityInput,
)

TAGS = ["complaints"]


def api_complaints():
    return Complaint.objects.select_related(
        "customer", "owner", "received_by", "source_type", "policy_version"
    )


def detail(complaint_id: int) -> dict:
    complaint = get_object_or_404(
        api_complaints().prefetch_related("events__actor", "letters"), pk=complaint_id
    )
    return ComplaintDetailOutput(complaint).data


def complaint_for(request, complaint_id: int, action: ComplaintAction) -> Complaint:
    """The complaint (404 without one) if the complaint access rule (`complaints.access`)
    lets the caller do `action` with it (403 otherwise)."""
    complaint = get_object_or_404(Complaint, pk=complaint_id)
    check_complaint_access(user=request.user, action=action, complaint=complaint)
    return complaint


class ComplaintAccess:
    """The roles come from the complaint access rule; each view checks with it too."""

    read_scope = Scope.COMPLAINTS_READ
    write_scope = Scope.COMPLAINTS_WRITE
    read_roles = ROLES[ComplaintAction.READ]
    write_roles = ROLES[ComplaintAction.LOG]


class ComplaintListApi(ComplaintAccess, ApiListView):
    serializer_class = ComplaintOutput
    filterset_class = ComplaintApiFilter
    ordering = ("-pk",)  # newest first

    def get_queryset(self):
        return readable_complaints(self.request.user, api_complaints())

    @extend_schema(
        summary="List complaints",
        description="Newest first, cursor-paginated (follow `next`); every filter narrows "
        "the list.",
        responses=responses({200: ComplaintOutput(many=True)}, 400),
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Log a complaint",
        description="Any member of staff may log one, for an existing customer or one found or "
        "created from their details, optionally linked to the ticket or chat it came from. "
        "The acknowledgement and resolution deadlines start from its receipt under the policy "
        "in force then, and the owner (a manager) is notified at once.",
        request=ComplaintLogInput,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses=responses({201: ComplaintDetailOutput}, 400, 422),
        tags=TAGS,
    )
    def post(self, request):
        def create():
            data = ComplaintLogInput(data=request.data)
            data.is_valid(raise_exception=True)
            values = data.validated_data
            with transaction.atomic():
                customer = customer_from(values)
                complaint = services.log_complaint(
                    customer=customer,
                    channel=values["channel"],
                    category=values["category"],
                    severity=values["severity"],
                    description=values["description"],
                    desired_outcome=values.get("desired_outcome", ""),
                    owner=values["owner_id"],
                    received_by=request.user,
                    received_at=values.get("received_at"),
                    source=values.get("source"),
                )
            return Response(detail(complaint.pk), status=status.HTTP_201_CREATED)

        return self.create_once(request, create)


class ComplaintDetailApi(ComplaintAccess, ApiView):
    @extend_schema(
        summary="Read a complaint",
        description="The complaint with its deadlines, its timeline and its letters' metadata.",
        responses=responses({200: ComplaintDetailOutput}, 404),
        tags=TAGS,
    )
    def get(self, request, complaint_id: int):
        complaint_for(request, complaint_id, ComplaintAction.READ)
        return Response(detail(complaint_id))


class ComplaintStepApi(ComplaintAccess, ApiView):
    """A workflow step: only managers take them (a key acts with its owner's role)."""

    write_roles = ROLES[ComplaintAction.STEP]
    input_class = None

    def step(self, request, complaint: Complaint, values: dict) -> None:
        raise NotImplementedError

    def post(self, request, complaint_id: int):
        complaint = complaint_for(request, complaint_id, ComplaintAction.STEP)
        data = self.input_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.step(request, complaint, data.validated_data)
        return Response(detail(complaint.pk))


def step_schema(summary: str, description: str, request):
    return extend_schema(
        summary=summary,
        description=description + " Only a customer service manager (or a key whose owner is "
        "one); a step the complaint's status does not allow is refused (400) and changes "
        "nothing.",
        request=request,
        responses=responses({200: ComplaintDetailOutput}, 400, 404),
        tags=TAGS,
    )


class AcknowledgeApi(ComplaintStepApi):
    input_class = AcknowledgeInput

    @step_schema(
        "Acknowledge a complaint in writing",
        "A logged complaint: the acknowledgement letter (from its template, or `body`) with "
        "the complaint procedure enclosed as a PDF, emailed or recorded as posted. The "
        "acknowledge deadline is met if on time.",
        AcknowledgeInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.acknowledge_complaint(
            complaint=complaint,
            by=request.user,
            sent_via=values["sent_via"],
            body=values.get("body", ""),
        )


class InvestigateApi(ComplaintStepApi):
    input_class = NoteInput

    @step_schema(
        "Start investigating",
        "An acknowledged or reopened complaint, with an optional note.",
        NoteInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.start_investigation(
            complaint=complaint, by=request.user, note=values.get("note", "")
        )


class HoldingLetterApi(ComplaintStepApi):
    input_class = HoldingLetterInput

    @step_schema(
        "Send a holding letter",
        "To an acknowledged complaint still open: the new date a full response can be "
        "expected (later than today) becomes its `respond_by`.",
        HoldingLetterInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.send_holding_letter(
            complaint=complaint,
            by=request.user,
            expected_date=values["expected_date"],
            sent_via=values["sent_via"],
            body=values.get("body", ""),
        )


class ResolveApi(ComplaintStepApi):
    input_class = ComplaintResolveInput

    @step_schema(
        "Resolve a complaint",
        "An open complaint, with its outcome, root cause and remedy (required) and a final "
        "response letter; every deadline stops.",
        ComplaintResolveInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.resolve_complaint(
            complaint=complaint,
            by=request.user,
            outcome=values["outcome"],
            root_cause=values["root_cause"],
            remedy=values["remedy"],
            sent_via=values["sent_via"],
            body=values.get("body", ""),
        )


class CloseApi(ComplaintStepApi):
    input_class = CloseInput

    @step_schema(
        "Close a complaint",
        "A resolved complaint, recording whether the customer is satisfied.",
        CloseInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.close_complaint(
            complaint=complaint,
            by=request.user,
            customer_satisfied=values.get("customer_satisfied"),
            note=values.get("note", ""),
        )


class ReopenApi(ComplaintStepApi):
    input_class = ReasonInput

    @step_schema(
        "Reopen a complaint",
        "A resolved or closed complaint the customer came back about; the reason is required "
        "and a full response is due again after the policy's resolution time.",
        ReasonInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.reopen_complaint(complaint=complaint, by=request.user, reason=values["reason"])


class WithdrawApi(ComplaintStepApi):
    input_class = ReasonInput

    @step_schema(
        "Record a withdrawal",
        "The customer withdrew an open complaint; the reason is required and its deadlines "
        "stop. Nothing is deleted: withdrawn is a status.",
        ReasonInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.withdraw_complaint(complaint=complaint, by=request.user, reason=values["reason"])


class SeverityApi(ComplaintStepApi):
    input_class = SeverityInput

    @step_schema(
        "Change a complaint's severity",
        "An open complaint: the deadlines still counting move to the new severity's "
        "(`[complaints.severity.S]`), counted from the receipt; met or missed ones stay. The "
        "timeline records the new due dates.",
        SeverityInput,
    )
    def post(self, request, complaint_id: int):
        return super().post(request, complaint_id)

    def step(self, request, complaint, values):
        services.change_severity(
            complaint=complaint,
            by=request.user,
            severity=values["severity"],
            note=values.get("note", ""),
        )


STEPS = {
    "acknowledge": AcknowledgeApi,
    "investigate": InvestigateApi,
    "holding-letter": HoldingLetterApi,
    "resolve": ResolveApi,
    "close": CloseApi,
    "reopen": ReopenApi,
    "withdraw": WithdrawApi,
    "severity": SeverityApi,
}

urlpatterns = [
    path("complaints/", ComplaintListApi.as_view(), name="api-complaints"),
    path("complaints/<id:complaint_id>/", ComplaintDetailApi.as_view(), name="api-complaint"),
    *[
        path(
            f"complaints/<id:complaint_id>/{name}/",
            view.as_view(),
            name=f"api-complaint-{name}",
        )
        for name, view in STEPS.items()
    ],
]
