"""Letters go out by email from Celery over real SMTP, with the procedure PDF attached, once."""

from email import message_from_bytes
from email.policy import default

import pytest
from django.core import mail

from complaints.models import ComplaintEvent, EventKind, Letter, SentVia
from complaints.services import acknowledge_complaint, deliver_letter, procedure_pdf
from complaints.services.letters import policy_of
from complaints.tasks import send_complaint_letter

from .factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(policy, manager, agent):
    return make_complaint(owner=manager, received_by=agent)


def test_procedure_pdf_holds_the_policy_procedure(complaint):
    pdf = procedure_pdf(policy_of(complaint))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(pdf) > 1000


def test_acknowledgement_is_emailed_by_celery_over_smtp(
    complaint, manager, celery_eager, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        letter = acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.EMAIL)
    to_customer = [e for e in smtp_server.envelopes if complaint.customer.email in e.rcpt_tos]
    assert len(to_customer) == 1
    message = message_from_bytes(to_customer[0].content, policy=default)
    assert complaint.reference in message["Subject"]
    assert "Dear Ada Lovelace" in message.get_body(("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "complaint-procedure.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    letter.refresh_from_db()
    assert letter.emailed_at is not None and letter.to_address == complaint.customer.email
    assert ComplaintEvent.objects.filter(kind=EventKind.LETTER_EMAILED).count() == 1
    # The task running again (a redelivery) sends nothing twice.
    assert send_complaint_letter.apply(args=[letter.pk]).get() is False
    assert len([e for e in smtp_server.envelopes if complaint.customer.email in e.rcpt_tos]) == 1


def test_a_posted_letter_is_never_emailed(complaint, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.POST)
    assert letter.sent_via == SentVia.POST and letter.sent_at is not None
    assert deliver_letter(letter_id=letter.pk) is False
    assert not [m for m in mail.outbox if complaint.customer.email in m.to]
    assert all("send_complaint_letter" not in repr(c) for c in callbacks)


def test_a_failed_email_is_recorded_on_the_timeline(
    complaint, manager, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with django_capture_on_commit_callbacks(execute=False):
        letter = acknowledge_complaint(complaint=complaint, by=manager, sent_via=SentVia.EMAIL)
    result = send_complaint_letter.apply(args=[letter.pk], retries=8)  # the last retry
    assert result.failed()
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.emailed_at is None and letter.email_error
    assert ComplaintEvent.objects.filter(kind=EventKind.LETTER_FAILED).exists()
