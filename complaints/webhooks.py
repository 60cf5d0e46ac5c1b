"""The complaints channel's webhook events (see `helpdesk.webhooks`): what their `data` holds.
Called by the workflow's services; sent after commit.

The complaint's ids, status, classification, deadlines and times go out; not the customer's
description or the letters' text (read them through the API)."""

from django.contrib.contenttypes.models import ContentType

from helpdesk.webhooks import emit_event

from .models import Complaint, Letter


def complaint_payload(complaint: Complaint) -> dict:
    return {
        "id": complaint.pk,
        "reference": complaint.reference,
        "status": complaint.status,
        "channel": complaint.channel,
        "category": complaint.category,
        "severity": complaint.severity,
        "customer_id": complaint.customer_id,
        "owner_id": complaint.owner_id,
        "source_type": (
            ContentType.objects.get_for_id(complaint.source_type_id).model
            if complaint.source_type_id
            else None
        ),
        "source_id": complaint.source_id,
        "received_at": complaint.received_at,
        "acknowledge_due_at": complaint.acknowledge_due_at,
        "resolution_due_at": complaint.resolution_due_at,
        "respond_by": complaint.respond_by,
        "acknowledged_at": complaint.acknowledged_at,
        "resolved_at": complaint.resolved_at,
        "updated_at": complaint.updated_at,
    }


def letter_payload(letter: Letter) -> dict:
    return {
        "id": letter.pk,
        "kind": letter.kind,
        "sent_via": letter.sent_via,
        "sent_at": letter.sent_at,
    }


def emit_complaint_logged(complaint: Complaint) -> None:
    emit_event(
        name="complaint.logged",
        payload=complaint_payload(complaint),
        occurred_at=complaint.received_at,
    )


def emit_complaint_acknowledged(complaint: Complaint, letter: Letter) -> None:
    payload = complaint_payload(complaint)
    payload["letter"] = letter_payload(letter)
    emit_event(
        name="complaint.acknowledged", payload=payload, occurred_at=complaint.acknowledged_at
    )


def emit_complaint_resolved(complaint: Complaint, letter: Letter) -> None:
    payload = complaint_payload(complaint)
    payload["letter"] = letter_payload(letter)
    payload["outcome"] = complaint.outcome
    payload["root_cause"] = complaint.root_cause
    payload["remedy"] = complaint.remedy
    emit_event(name="complaint.resolved", payload=payload, occurred_at=complaint.resolved_at)
