"""What keeps the owner on time: a drafted holding letter when the resolution deadline passes
with the complaint still open, and reminders before each deadline and until the holding letter
goes. Each reminder is recorded with a unique key, so a task that runs twice reminds once."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models import Clock
from helpdesk.policy import parse_duration
from helpdesk.services.notifications import notify

from ..models import (
    ACKNOWLEDGE_TARGET,
    OPEN_STATUSES,
    RESOLUTION_TARGET,
    Complaint,
    ComplaintEvent,
    ComplaintReminder,
    EventKind,
    LetterKind,
    LetterStatus,
)
from .common import admin_url
from .letters import create_letter, last_day, letter_context, policy_of, render_letter

REMINDER_KIND = "complaint.reminder"
OVERDUE_KIND = "complaint.overdue"


def suggested_expected_date(complaint: Complaint, now: datetime) -> date:
    """The date a holding letter drafted now proposes: COMPLAINTS_HOLDING_EXTENSION (working
    days, by default) from now under the complaint's policy."""
    policy = policy_of(complaint)
    duration = parse_duration(settings.COMPLAINTS_HOLDING_EXTENSION)
    return last_day(policy.calendar.due(duration, now), policy)


@transaction.atomic
def mark_resolution_overdue(*, complaint_id: int, now: datetime | None = None) -> bool:
    """The full response is late and the complaint still open: draft a holding letter for the
    owner (with a suggested expected date), note it on the timeline and tell the owner.

    Safe to repeat: a complaint already waiting for its holding letter, or no longer open, is
    left alone. Returns whether anything was done.
    """
    now = now or timezone.now()
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "owner", "policy_version")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None or complaint.status not in OPEN_STATUSES:
        return False
    if complaint.holding_letter_needed_since is not None:
        return False
    complaint.holding_letter_needed_since = now
    complaint.save(update_fields=["holding_letter_needed_since", "updated_at"])
    drafts = complaint.letters.filter(kind=LetterKind.HOLDING, status=LetterStatus.DRAFT)
    if not drafts.exists():
        expected = suggested_expected_date(complaint, now)
        subject, body = render_letter(
            LetterKind.HOLDING, letter_context(complaint, expected_date=expected)
        )
        create_letter(
            complaint=complaint,
            kind=LetterKind.HOLDING,
            by=None,
            subject=subject,
            body=body,
            expected_date=expected,
            enclose_procedure=True,
            now=now,
        )
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=EventKind.LETTER_DRAFTED,
            note=f"Holding letter drafted, expected date {expected:%d %b %Y}",
            at=now,
        )
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind=EventKind.OVERDUE,
        note="The full response is overdue: a holding letter must go to the customer.",
        at=now,
    )
    notify(
        recipient_ids=[complaint.owner_id],
        kind=OVERDUE_KIND,
        message=f"Complaint {complaint.reference} is not resolved in time: a holding letter "
        "with the expected date is drafted for you to check and send.",
        url=admin_url(complaint),
        now=now,
    )
    return True


def on_resolution_breach(clock: Clock) -> None:
    """Breach handler of `complaints.resolution` (registered in `ComplaintsConfig.ready`)."""
    if clock.case_type.app_label == "complaints":
        mark_resolution_overdue(complaint_id=clock.case_id)


@dataclass(frozen=True)
class Due:
    key: str
    message: str


def _reminders_due(complaint: Complaint, now: datetime) -> list[Due]:
    """The reminders whose moment has come: at half the time to a deadline and on its last day
    (the last 24 hours), and once a day while a holding letter waits to go."""
    policy = policy_of(complaint)
    found: list[Due] = []
    deadlines = []
    if complaint.acknowledged_at is None and complaint.acknowledge_due_at:
        deadlines.append((ACKNOWLEDGE_TARGET, "acknowledge it in writing", complaint.received_at,
                          complaint.acknowledge_due_at))  # fmt: skip
    if complaint.respond_by:
        deadlines.append((RESOLUTION_TARGET, "send the full response", complaint.received_at,
                          complaint.respond_by))  # fmt: skip
    for target, what, start, due in deadlines:
        if due <= now:
            continue
        stamp = f"{target}:{due:%Y%m%d%H%M}"
        until = f"(due by the end of {last_day(due, policy):%d %b %Y})"
        if now >= due - timedelta(hours=24):
            text = f"Last day to {what} for {complaint.reference} {until}."
            found.append(Due(f"{stamp}:last_day", text))
        elif now >= start + (due - start) / 2:
            text = f"Half the time to {what} for {complaint.reference} has gone {until}."
            found.append(Due(f"{stamp}:half", text))
    if complaint.holding_letter_needed_since is not None:
        today = now.astimezone(policy.calendar.zone).date()
        text = (
            f"Complaint {complaint.reference} is overdue: send the drafted holding letter "
            "with the expected date."
        )
        found.append(Due(f"holding:{today:%Y-%m-%d}", text))
    return found


def remind_complaint_owners(*, now: datetime | None = None) -> int:
    """Remind each open complaint's owner of what falls due (see `_reminders_due`), each
    reminder once; mark complaints whose promised date passed as needing a holding letter.
    Returns how many reminders went. Safe to run at any time and any number of times."""
    now = now or timezone.now()
    late = Complaint.objects.filter(
        status__in=OPEN_STATUSES,
        acknowledged_at__isnull=False,
        holding_letter_needed_since__isnull=True,
        respond_by__lte=now,
    ).values_list("pk", flat=True)
    for complaint_id in list(late):
        mark_resolution_overdue(complaint_id=complaint_id, now=now)
    sent = 0
    complaints = Complaint.objects.filter(status__in=OPEN_STATUSES).select_related("policy_version")
    for complaint in complaints.iterator(chunk_size=500):
        for due in _reminders_due(complaint, now):
            if _remind_once(complaint, due, now):
                sent += 1
    return sent


def _remind_once(complaint: Complaint, due: Due, now: datetime) -> bool:
    try:
        with transaction.atomic():
            ComplaintReminder.objects.create(complaint=complaint, key=due.key, sent_at=now)
            notify(
                recipient_ids=[complaint.owner_id],
                kind=REMINDER_KIND,
                message=due.message,
                url=admin_url(complaint),
                now=now,
            )
            ComplaintEvent.objects.create(
                complaint=complaint, kind=EventKind.REMINDER, note=due.message, at=now
            )
    except IntegrityError:  # reminded already (or by a concurrent run)
        return False
    return True
