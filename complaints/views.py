"""The desk's complaint pages (/desk/complaints/): any member of staff logs a complaint,
prefilled from the ticket or chat it came from (`new/?source=tickets.ticket:12`), and reads it.
The steps after logging are the managers' and live in the admin; every rule is in
`complaints.services`."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from helpdesk.access import desk_staff_required
from helpdesk.forms import apply_service_errors
from helpdesk.selectors.cases import case_link
from helpdesk.services.people import find_or_create_customer

from . import services
from .access import ComplaintAction, check_complaint_access, readable_complaints
from .forms import DeskLogComplaintForm
from .models import Complaint
from .selectors import desk_complaints
from .sources import query_prefill, resolve_source, source_prefill


@transaction.atomic
def _log(user, data, source) -> Complaint:
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
        received_by=user,
        received_at=data["received_at"],
        source=source,
    )


@desk_staff_required
@require_http_methods(["GET"])
def list_view(request):
    """The complaints the user may read, open ones first (`selectors.desk_complaints`)."""
    check_complaint_access(user=request.user, action=ComplaintAction.READ)
    complaints = desk_complaints(readable_complaints(request.user))
    return render(request, "complaints/desk/list.html", {"complaints": complaints})


@desk_staff_required
@require_http_methods(["GET", "POST"])
def log_view(request):
    check_complaint_access(user=request.user, action=ComplaintAction.LOG)
    source = resolve_source(request.POST.get("source") or request.GET.get("source", ""))
    initial = {**query_prefill(request.GET), **source_prefill(source)}
    form = DeskLogComplaintForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                complaint = _log(request.user, form.cleaned_data, source)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Complaint {complaint.reference} logged; {complaint.owner} has been notified.",
                )
                return redirect("complaints:detail", reference=complaint.reference)
    customer = getattr(source, "customer", None) if source is not None else None
    context = {"form": form, "source": source, "source_customer": customer}
    return render(request, "complaints/desk/log.html", context, status=status)


@desk_staff_required
@require_http_methods(["GET"])
def detail_view(request, reference: str):
    complaint = get_object_or_404(
        Complaint.objects.select_related("customer", "owner", "received_by", "source_type"),
        reference=reference,
    )
    check_complaint_access(user=request.user, action=ComplaintAction.READ, complaint=complaint)
    source = None
    if complaint.source_type_id and complaint.source_id:
        source = case_link(complaint.source_type_id, complaint.source_id)
    context = {
        "complaint": complaint,
        "source": source,  # "Ticket #1000" and its page
        "events": complaint.events.select_related("actor"),
        "letters": complaint.letters.all(),
    }
    return render(request, "complaints/desk/detail.html", context)
