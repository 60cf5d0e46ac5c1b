"""The complaint workflow, one service per step: log, acknowledge, investigate, holding letter,
resolve (closing, reopening and withdrawing are in `closure`).

Every step is atomic, checks who may take it and whether the complaint's status allows it
before it changes anything, and raises `PermissionDenied` or `ValidationError` (with a message
fit to show a manager) otherwise, so a refused step leaves everything as it was.
Only managers take the steps after logging; any member of staff may log a complaint.
"""

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from helpdesk.models import Customer, Role
from helpdesk.models.people import Channel
from helpdesk.policy import PolicyError, UnknownTarget
from helpdesk.roles import has_role
from helpdesk.services.notifications import notify
from helpdesk.services.people import record_interaction
from helpdesk.services.policy import policy_for_new_case
from helpdesk.services.sla import (
    retarget_clocks_for,
    retarget_note,
    start_clock,
    stop_clocks_for,
)

from ..models import (
    ACKNOWLEDGE_TARGET,
    RESOLUTION_TARGET,
    Category,
    Complaint,
    ComplaintChannel,
    EventKind,
    Letter,
    LetterKind,
    LetterStatus,
    Remedy,
    RootCause,
    Severity,
    Status,
    Step,
)
from ..webhooks import emit_complaint_acknowledged, emit_complaint_logged, emit_complaint_resolved
from .common import (
    add_event,
    admin_url,
    check_can_log,
    check_can_manage,
    check_choice,
    check_sent_via,
    check_status,
    lock,
    next_reference,
)
from .letters import (
    create_letter,
    end_of_day,
    letter_context,
    policy_of,
    render_letter,
    send_letter,
)

LOGGED_KIND = "complaint.logged"


# -- the steps ------------------------------------------------------------------------------------


@transaction.atomic
def log_complaint(
    *,
    customer: Customer,
    channel: str,
    category: str,
    description: str,
    owner,
    received_by,
    desired_outcome: str = "",
    severity: str = Severity.MEDIUM,
    received_at: datetime | None = None,
    source: models.Model | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Log a complaint received from `customer` on `channel`.

    Rules: any member of staff may log; the owner must be a customer service manager; the
    description is required and the receipt cannot be in the future. The complaint keeps the
    policy version in force at receipt and starts its `complaints.acknowledge` and
    `complaints.resolution` clocks from the receipt (those the policy sets), answerable by the
    owner; the owner is notified at once and the customer's history records it. `source` is
    the ticket or chat it came from, if any.
    """
    now = now or timezone.now()
    received_at = received_at or now
    check_can_log(received_by)
    if not has_role(owner, Role.MANAGER):
        raise ValidationError({"owner": "The owner must be a customer service manager."})
    check_choice(channel, ComplaintChannel, "channel")
    check_choice(category, Category, "category")
    check_choice(severity, Severity, "severity")
    if not (description or "").strip():
        raise ValidationError({"description": "Describe the complaint."})
    if timezone.is_naive(received_at) or received_at > now:
        raise ValidationError({"received_at": "The time of receipt must be now or earlier."})
    if source is not None and source.pk is None:
        raise ValueError("Save the source before linking a complaint to it.")

    try:
        version, policy = policy_for_new_case(now=received_at)
    except PolicyError as error:  # no policy in force on that day
        raise ValidationError({"received_at": str(error)}) from error
    year = received_at.astimezone(policy.calendar.zone).year
    complaint = Complaint.objects.create(
        reference=next_reference(year),
        customer=customer,
        channel=channel,
        received_at=received_at,
        received_by=received_by,
        category=category,
        description=description.strip(),
        desired_outcome=(desired_outcome or "").strip(),
        severity=severity,
        owner=owner,
        source_type=ContentType.objects.get_for_model(source) if source is not None else None,
        source_id=source.pk if source is not None else None,
        policy_version=version,
    )
    for target, field in ((ACKNOWLEDGE_TARGET, "acknowledge_due_at"),
                          (RESOLUTION_TARGET, "resolution_due_at")):  # fmt: skip
        try:
            clock = start_clock(
                case=complaint, target=target, started_at=received_at, assignee=owner
            )
        except UnknownTarget:
            continue  # this policy sets no such deadline
        setattr(complaint, field, clock.due_at)
    complaint.respond_by = complaint.resolution_due_at
    complaint.save(update_fields=["acknowledge_due_at", "resolution_due_at", "respond_by"])
    add_event(complaint, EventKind.LOGGED, received_by, f"Received by {channel}", now)
    record_interaction(
        customer=customer,
        channel=Channel.COMPLAINT,
        kind="complaint logged",
        summary=f"{complaint.reference}: {complaint.description[:200]}",
        case=complaint,
        agent=received_by,
        occurred_at=received_at,
    )
    notify(
        recipient_ids=[owner.pk],
        kind=LOGGED_KIND,
        message=f"Complaint {complaint.reference} from {customer} is yours: acknowledge it in "
        f"writing by {_local(complaint.acknowledge_due_at, policy)}.",
        url=admin_url(complaint),
        now=now,
    )
    emit_complaint_logged(complaint)  # the integrators' webhook, after commit
    return complaint


def _local(at: datetime | None, policy) -> str:
    if at is None:
        return "the policy's deadline"
    return at.astimezone(policy.calendar.zone).strftime("%d %b %Y %H:%M %Z")


@transaction.atomic
def change_severity(
    *, complaint: Complaint, severity: str, by, note: str = "", now: datetime | None = None
) -> Complaint:
    """Set an open complaint's severity; only a manager. The same severity changes nothing.

    Rule: the deadlines still counting take the new severity's durations from the receipt
    (`retarget_clocks_for`, POLICY.md "Targets by priority (and complaint severity)"), met or
    missed ones stay as they ended; the complaint's due dates follow its clocks (the date a
    holding letter promised stays), and the timeline records the change with each new due time.
    """
    now = now or timezone.now()
    check_can_manage(by)
    check_choice(severity, Severity, "severity")
    complaint = lock(complaint)
    check_status(complaint, Step.SEVERITY, "given another severity")
    old = complaint.severity
    if old == severity:
        return complaint
    complaint.severity = severity
    changes = retarget_clocks_for(case=complaint, severity=severity, at=now)
    fields = {ACKNOWLEDGE_TARGET: "acknowledge_due_at", RESOLUTION_TARGET: "resolution_due_at"}
    for change in changes:
        if change.due is None:
            continue  # paused: due again when it resumes
        if change.clock.round == 1:  # the dates set at receipt; a reopening's round has its own
            setattr(complaint, fields[change.clock.target], change.due)
        if change.clock.target == RESOLUTION_TARGET and complaint.expected_response_date is None:
            complaint.respond_by = change.due  # no holding letter has promised a date
    complaint.save()
    told = "\n".join(filter(None, [(note or "").strip(), retarget_note(changes)]))
    add_event(complaint, EventKind.SEVERITY, by, f"{old} → {severity}\n{told}".strip(), now)
    return complaint


@transaction.atomic
def acknowledge_complaint(
    *, complaint: Complaint, by, sent_via: str, body: str = "", now: datetime | None = None
) -> Letter:
    """Acknowledge a logged complaint in writing.

    Rules: only a manager; only a complaint not yet acknowledged (status logged). The letter
    comes from the acknowledgement template (or `body`, the manager's edit of it), encloses the
    policy's complaint procedure as a PDF, and goes by email (the customer needs an address) or
    is recorded as posted. The acknowledge clock stops: met when on time.
    """
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.ACKNOWLEDGE, "acknowledged")
    check_sent_via(complaint, sent_via)
    subject, text = render_letter(LetterKind.ACKNOWLEDGEMENT, letter_context(complaint))
    letter = create_letter(
        complaint=complaint,
        kind=LetterKind.ACKNOWLEDGEMENT,
        by=by,
        subject=subject,
        body=(body or "").strip() or text,
        enclose_procedure=True,
        now=now,
    )
    send_letter(letter=letter, by=by, sent_via=sent_via, now=now)
    complaint.status = Status.ACKNOWLEDGED
    complaint.acknowledged_at = now
    complaint.save(update_fields=["status", "acknowledged_at", "updated_at"])
    stop_clocks_for(case=complaint, targets=[ACKNOWLEDGE_TARGET], at=now)
    add_event(complaint, EventKind.ACKNOWLEDGED, by, "", now)
    emit_complaint_acknowledged(complaint, letter)
    return letter


@transaction.atomic
def start_investigation(
    *, complaint: Complaint, by, note: str = "", now: datetime | None = None
) -> Complaint:
    """Start investigating an acknowledged (or reopened) complaint. Only a manager."""
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.INVESTIGATE, "investigated")
    complaint.status = Status.INVESTIGATING
    complaint.investigation_started_at = complaint.investigation_started_at or now
    complaint.save(update_fields=["status", "investigation_started_at", "updated_at"])
    add_event(complaint, EventKind.INVESTIGATING, by, (note or "").strip(), now)
    return complaint


@transaction.atomic
def send_holding_letter(
    *,
    complaint: Complaint,
    by,
    expected_date: date | None,
    sent_via: str,
    body: str = "",
    now: datetime | None = None,
) -> Letter:
    """Write again to say when the full response can be expected.

    Rules: only a manager; only an acknowledged complaint still open; the expected date is
    required and must be later than today (in the policy's time zone). The system's draft, if
    there is one, is the letter sent; the procedure is enclosed again. The promised date
    becomes the complaint's `respond_by`, and the owner's reminders to send one stop.
    """
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.HOLDING, "sent a holding letter")
    policy = policy_of(complaint)
    today = now.astimezone(policy.calendar.zone).date()
    if expected_date is None:
        raise ValidationError({"expected_date": "Give the date a full response can be expected."})
    if expected_date <= today:
        raise ValidationError({"expected_date": "The expected date must be later than today."})
    check_sent_via(complaint, sent_via)
    subject, text = render_letter(
        LetterKind.HOLDING, letter_context(complaint, expected_date=expected_date)
    )
    letter = complaint.letters.filter(kind=LetterKind.HOLDING, status=LetterStatus.DRAFT).last()
    if letter is None:
        letter = create_letter(
            complaint=complaint,
            kind=LetterKind.HOLDING,
            by=by,
            subject=subject,
            body=text,
            expected_date=expected_date,
            enclose_procedure=True,
            now=now,
        )
    letter.subject, letter.expected_date = subject, expected_date
    letter.body = (body or "").strip() or text
    send_letter(letter=letter, by=by, sent_via=sent_via, now=now)
    complaint.expected_response_date = expected_date
    complaint.respond_by = end_of_day(expected_date, policy)
    complaint.holding_letter_needed_since = None
    complaint.save(
        update_fields=[
            "expected_response_date",
            "respond_by",
            "holding_letter_needed_since",
            "updated_at",
        ]  # fmt: skip
    )
    return letter


@transaction.atomic
def resolve_complaint(
    *,
    complaint: Complaint,
    by,
    outcome: str,
    root_cause: str,
    remedy: str,
    sent_via: str,
    body: str = "",
    now: datetime | None = None,
) -> Letter:
    """Resolve an open complaint with a final response letter.

    Rules: only a manager; the outcome, root cause and remedy are required. The final letter
    (from its template, or `body`) is sent by email or post; every clock of the complaint
    stops (a complaint resolved before its acknowledgement: the final letter is the written
    acknowledgement too).
    """
    now = now or timezone.now()
    check_can_manage(by)
    complaint = lock(complaint)
    check_status(complaint, Step.RESOLVE, "resolved")
    if not (outcome or "").strip():
        raise ValidationError({"outcome": "Say what the outcome is."})
    check_choice(root_cause, RootCause, "root_cause")
    check_choice(remedy, Remedy, "remedy")
    check_sent_via(complaint, sent_via)
    complaint.outcome = outcome.strip()
    complaint.root_cause, complaint.remedy = root_cause, remedy
    subject, text = render_letter(LetterKind.FINAL, letter_context(complaint))
    letter = create_letter(
        complaint=complaint,
        kind=LetterKind.FINAL,
        by=by,
        subject=subject,
        body=(body or "").strip() or text,
        now=now,
    )
    send_letter(letter=letter, by=by, sent_via=sent_via, now=now)
    complaint.status = Status.RESOLVED
    complaint.resolved_at = now
    complaint.acknowledged_at = complaint.acknowledged_at or now
    complaint.holding_letter_needed_since = None
    complaint.save()
    stop_clocks_for(case=complaint, at=now)
    add_event(complaint, EventKind.RESOLVED, by, complaint.outcome, now)
    emit_complaint_resolved(complaint, letter)
    return letter
