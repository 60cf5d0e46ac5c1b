"""The end of a complaint, and what follows it: close a resolved complaint, reopen a resolved or
closed one, withdraw an open one. Each is atomic and only a manager's step (see `workflow`)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.policy import UnknownTarget
from helpdesk.services.sla import restart_clocks_for, stop_clocks_for

from ..models import RESOLUTION_TARGET, Complaint, EventKind, Status, Step
from .common import add_event, check_can_manage, check_status, lock
from .letters import policy_of


@transaction.atomic
def close_complaint(
    *,
    complaint: Complaint,
    by,
    customer_satisfied: bool | None,
    note: str = "",
    now: datetime | None = None,
) -> Complaint:
    """Close a resolved complaint, recording whether the customer is satisfied (or unknown).
    Only a manager."""
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.CLOSE, "closed")
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.customer_satisfied = customer_satisfied
    complaint.save(update_fields=["status", "closed_at", "customer_satisfied", "updated_at"])
    satisfied = {True: "satisfied", False: "not satisfied", None: "satisfaction unknown"}
    add_event(complaint, EventKind.CLOSED, by, f"Customer {satisfied[customer_satisfied]}. {note}"
           .strip(), now)  # fmt: skip
    return complaint


@transaction.atomic
def reopen_complaint(
    *, complaint: Complaint, by, reason: str, now: datetime | None = None
) -> Complaint:
    """Reopen a resolved or closed complaint (the customer came back). Only a manager; the
    reason is required. A full response is due again after the policy's resolution time from
    now, under the complaint's own policy version: a new round of the resolution clock runs
    (the earlier round stays as it ended, for the review)."""
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.REOPEN, "reopened")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the complaint is reopened."})
    policy = policy_of(complaint)
    try:
        complaint.respond_by = policy.deadline(RESOLUTION_TARGET, now, severity=complaint.severity)
    except UnknownTarget:
        complaint.respond_by = None
    else:  # a new round of the resolution clock: its reminders and escalation run again
        restart_clocks_for(
            case=complaint,
            targets=[RESOLUTION_TARGET],
            at=now,
            assignee=complaint.owner,
            policy_version=complaint.policy_version,
        )
    complaint.status = Status.REOPENED
    complaint.resolved_at = complaint.closed_at = complaint.customer_satisfied = None
    complaint.expected_response_date = None
    complaint.save()
    add_event(complaint, EventKind.REOPENED, by, reason.strip(), now)
    return complaint


@transaction.atomic
def withdraw_complaint(
    *, complaint: Complaint, by, reason: str, now: datetime | None = None
) -> Complaint:
    """Record that the customer withdrew an open complaint. Only a manager; the reason is
    required; its clocks stop. Nothing is deleted: withdrawn is a status."""
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.WITHDRAW, "withdrawn")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the complaint is withdrawn."})
    complaint.status = Status.WITHDRAWN
    complaint.holding_letter_needed_since = None
    complaint.save(update_fields=["status", "holding_letter_needed_since", "updated_at"])
    stop_clocks_for(case=complaint, at=now)
    add_event(complaint, EventKind.WITHDRAWN, by, reason.strip(), now)
    return complaint
