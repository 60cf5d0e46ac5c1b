"""What the workflow's steps share: who may take them, the status and choice checks that
refuse a step before anything changes, the row lock, the timeline and the reference numbers."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse

from ..access import ComplaintAction, check_complaint_access
from ..models import Complaint, ComplaintEvent, ComplaintSequence, SentVia, Step


def check_can_log(user) -> None:
    """Any member of staff (agent, supervisor, manager) may log a complaint (the complaint
    access rule, `complaints.access`)."""
    check_complaint_access(user=user, action=ComplaintAction.LOG)


def check_can_manage(user) -> None:
    """Only customer service managers acknowledge, write letters, resolve and close (the
    complaint access rule, `complaints.access`)."""
    check_complaint_access(user=user, action=ComplaintAction.STEP)


def check_status(complaint: Complaint, step: Step, done: str) -> None:
    """Refuse `step` unless the workflow allows it from the complaint's status (`TRANSITIONS`,
    the table the admin's buttons come from too); `done` words the refusal: "it cannot be
    <done> now"."""
    if not complaint.allows(step):
        raise ValidationError(
            f"{complaint.reference} is {complaint.get_status_display().lower()}: "
            f"it cannot be {done} now."
        )


def check_choice(value: str, choices: type[models.TextChoices], field: str) -> None:
    if value not in choices.values:
        raise ValidationError({field: f"Choose a valid {field.replace('_', ' ')}."})


def check_sent_via(complaint: Complaint, sent_via: str) -> None:
    check_choice(sent_via, SentVia, "sent_via")
    if sent_via == SentVia.EMAIL and not complaint.customer.email:
        raise ValidationError(
            {"sent_via": "The customer has no email address: send the letter by post."}
        )


def lock(complaint: Complaint) -> Complaint:
    """Lock the complaint's row until the transaction ends and bring the caller's instance up
    to date with it (so the caller sees what the step did)."""
    list(Complaint.objects.select_for_update().filter(pk=complaint.pk).values_list("pk"))
    complaint.refresh_from_db()
    return complaint


def add_event(complaint: Complaint, kind: str, actor, note: str, at: datetime) -> None:
    ComplaintEvent.objects.create(complaint=complaint, kind=kind, actor=actor, note=note, at=at)


def next_reference(year: int) -> str:
    try:
        with transaction.atomic():
            ComplaintSequence.objects.get_or_create(year=year)
    except IntegrityError:  # created at the same moment elsewhere
        pass
    sequence = ComplaintSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"C-{year}-{sequence.last:05d}"


def admin_url(complaint: Complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])
