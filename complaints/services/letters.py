"""Letters to the complainant: written from an editable template, the procedure enclosed as a
PDF, sent by email through Celery (once, however often the task runs) or recorded as posted."""

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone
from fpdf import FPDF

from helpdesk.policy import ServicePolicy
from helpdesk.services.policy import service_policy_for

from ..models import (
    Complaint,
    ComplaintEvent,
    EventKind,
    Letter,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    SentVia,
)

# fpdf2's font subsetting logs every glyph at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

SEND_LETTER_TASK = "complaints.tasks.send_complaint_letter"
PROCEDURE_FILENAME = "complaint-procedure.pdf"
# A Unicode TrueType font (Debian's fonts-dejavu-core) when present, else the PDF core font.
UNICODE_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def policy_of(complaint: Complaint) -> ServicePolicy:
    """The policy the complaint was logged under (never a newer one)."""
    return service_policy_for(complaint.policy_version)


def last_day(due_at: datetime | None, policy: ServicePolicy) -> date | None:
    """The last day of a deadline, in the policy's time zone: a working-day deadline falls at
    midnight at the close of its last day, so the date is that of the instant just before."""
    if due_at is None:
        return None
    return (due_at.astimezone(policy.calendar.zone) - timedelta(microseconds=1)).date()


def end_of_day(day: date, policy: ServicePolicy) -> datetime:
    """Midnight at the close of `day` in the policy's time zone, as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), policy.calendar.zone)


def letter_context(
    complaint: Complaint, *, expected_date: date | None = None, **extra
) -> dict[str, object]:
    policy = policy_of(complaint)
    owner = complaint.owner
    return {
        "complaint": complaint,
        "customer_name": complaint.customer.name or "customer",
        "reference": complaint.reference,
        "company": policy.document.company,
        "received_date": complaint.received_at.astimezone(policy.calendar.zone).date(),
        "acknowledge_by": last_day(complaint.acknowledge_due_at, policy),
        "respond_by": last_day(complaint.respond_by, policy),
        "expected_date": expected_date,
        "outcome": complaint.outcome,
        "remedy": complaint.get_remedy_display() if complaint.remedy else "",
        "owner_name": owner.get_full_name() or owner.get_username(),
        **extra,
    }


def render_letter(kind: str, context: dict[str, object]) -> tuple[str, str]:
    """The subject and body of a letter of `kind`: from the `LetterTemplate` a manager edited,
    or else from `templates/complaints/letters/<kind>.txt` and `<kind>_subject.txt`."""
    custom = LetterTemplate.objects.filter(kind=kind).first()
    if custom is not None:
        engine = Engine.get_default()
        subject = engine.from_string(custom.subject).render(Context(context, autoescape=False))
        body = engine.from_string(custom.body).render(Context(context, autoescape=False))
    else:
        subject = render_to_string(f"complaints/letters/{kind}_subject.txt", context)
        body = render_to_string(f"complaints/letters/{kind}.txt", context)
    return " ".join(subject.split())[:200], body.strip() + "\n"


def procedure_pdf(policy: ServicePolicy) -> bytes:
    """The policy's complaint procedure as a one-or-more-page PDF (fpdf2)."""
    doc = policy.document
    procedure = (policy.complaints.procedure if policy.complaints else "").strip()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{doc.company}: complaint procedure")
    pdf.set_author(doc.company)
    pdf.add_page()
    if UNICODE_FONT.exists():
        pdf.add_font("body", fname=str(UNICODE_FONT))
        family = "body"
    else:
        family = "helvetica"
        procedure = procedure.encode("latin-1", "replace").decode("latin-1")
    pdf.set_font(family, size=16)
    pdf.multi_cell(0, 9, f"{doc.company}\nOur complaint procedure")
    pdf.ln(2)
    pdf.set_font(family, size=9)
    number = f"{doc.number} " if doc.number else ""
    pdf.multi_cell(0, 5, f"{doc.title} {number}version {doc.version}, effective {doc.effective}")
    pdf.ln(4)
    pdf.set_font(family, size=11)
    pdf.multi_cell(0, 6, procedure or "Please ask us for a copy of our complaint procedure.")
    return bytes(pdf.output())


def create_letter(
    *,
    complaint: Complaint,
    kind: str,
    by,
    subject: str,
    body: str,
    expected_date: date | None = None,
    enclose_procedure: bool = False,
    now: datetime,
) -> Letter:
    """A draft letter (the caller sends it with `send_letter` or leaves it for the owner)."""
    letter = Letter(
        complaint=complaint,
        kind=kind,
        subject=subject,
        body=body,
        expected_date=expected_date,
        created_at=now,
        created_by=by,
    )
    if enclose_procedure:
        pdf = procedure_pdf(policy_of(complaint))
        letter.enclosure.save(PROCEDURE_FILENAME, ContentFile(pdf), save=False)
    letter.save()
    return letter


def send_letter(*, letter: Letter, by, sent_via: str, now: datetime) -> Letter:
    """Record the letter as sent by `sent_via`; an email goes out from Celery after commit.

    The caller has checked the step and the address (see `check_sent_via`)."""
    letter.status = LetterStatus.SENT
    letter.sent_via = sent_via
    letter.sent_at = now
    letter.sent_by = by
    letter.to_address = letter.complaint.customer.email if sent_via == SentVia.EMAIL else ""
    letter.save()
    how = "by email" if sent_via == SentVia.EMAIL else "by post"
    ComplaintEvent.objects.create(
        complaint=letter.complaint,
        kind=EventKind.LETTER_SENT,
        actor=by,
        note=f"{letter.get_kind_display()} sent {how}: {letter.subject}",
        at=now,
    )
    if sent_via == SentVia.EMAIL:
        letter_id = letter.pk
        transaction.on_commit(
            lambda: current_app.signature(SEND_LETTER_TASK, args=[letter_id]).apply_async(),
            robust=True,
        )
    return letter


def deliver_letter(*, letter_id: int) -> bool:
    """Email a sent letter (with its enclosure) to the customer, once; True if it went now.

    A draft, a posted letter or one already emailed is left alone; an SMTP error propagates
    (the task retries) and leaves the letter unemailed.
    """
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("complaint")
            .filter(pk=letter_id)
            .first()
        )
        if letter is None or letter.emailed_at is not None:
            return False
        if letter.status != LetterStatus.SENT or letter.sent_via != SentVia.EMAIL:
            return False
        message = EmailMessage(
            subject=f"{letter.subject} [{letter.complaint.reference}]",
            body=letter.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[letter.to_address],
        )
        if letter.enclosure:
            with letter.enclosure.open("rb") as file:
                message.attach(PROCEDURE_FILENAME, file.read(), "application/pdf")
        message.send()
        now = timezone.now()
        letter.emailed_at = now
        letter.email_error = ""
        letter.save(update_fields=["emailed_at", "email_error"])
        ComplaintEvent.objects.create(
            complaint=letter.complaint,
            kind=EventKind.LETTER_EMAILED,
            note=f"{letter.get_kind_display()} emailed to {letter.to_address}",
            at=now,
        )
        return True


@transaction.atomic
def record_letter_failure(*, letter_id: int, error: str) -> None:
    """The last try to email a letter failed: the timeline and the letter say so."""
    letter = Letter.objects.filter(pk=letter_id).select_related("complaint").first()
    if letter is None or letter.emailed_at is not None:
        return
    letter.email_error = error[:2000]
    letter.save(update_fields=["email_error"])
    ComplaintEvent.objects.create(
        complaint=letter.complaint,
        kind=EventKind.LETTER_FAILED,
        note=f"{letter.get_kind_display()} could not be emailed: {error[:500]}",
    )


def draft_text(*, complaint: Complaint, kind: str, expected_date: date | None = None) -> str:
    """The body a new letter of `kind` would have, for a form to offer for editing."""
    return render_letter(kind, letter_context(complaint, expected_date=expected_date))[1]


__all__ = [
    "LetterKind",
    "create_letter",
    "deliver_letter",
    "draft_text",
    "end_of_day",
    "last_day",
    "letter_context",
    "policy_of",
    "procedure_pdf",
    "record_letter_failure",
    "render_letter",
    "send_letter",
]
