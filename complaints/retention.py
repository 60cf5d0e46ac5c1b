"""How complaints keep the policy's `[retention]` `closed_cases` (helpdesk.privacy.retention):
once a complaint has been closed that long, what the customer wrote and the letters' text and
address are emptied and the complaint is detached from the customer. Its dates, cause and
deadlines stay for the review's figures."""

from datetime import datetime

from django.db.models import QuerySet

from complaints.models import Complaint, ComplaintEvent, Letter, Status
from helpdesk.models import RetentionKind
from helpdesk.privacy.retention import register_retention, release_customer


def complaints_closed_before(cutoff: datetime) -> QuerySet[Complaint]:
    return Complaint.objects.filter(status=Status.CLOSED, closed_at__lte=cutoff)


def anonymise_complaint(complaint: Complaint, now: datetime) -> int:
    items = ComplaintEvent.objects.filter(complaint=complaint).exclude(note="").update(note="")
    items += Letter.objects.filter(complaint=complaint).update(body="", to_address="")
    Complaint.objects.filter(pk=complaint.pk).update(description="", desired_outcome="", outcome="")
    return items + 1 + release_customer(case=complaint)


def register() -> None:
    register_retention(
        key=RetentionKind.CLOSED_CASES,
        model=Complaint,
        closed_before=complaints_closed_before,
        remove=anonymise_complaint,
    )
