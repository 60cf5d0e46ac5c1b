"""Every free-text field of the project's models is masked, or is named here with the reason it
is not: a new text field without masking fails this test."""

import re
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils import timezone

from helpdesk.models import Notification
from helpdesk.privacy.services import masked_fields
from helpdesk.services.bulk import insert_rows, update_rows
from tests.helpdesk.factories import UserFactory

PROJECT_APPS = ("helpdesk", "tickets", "chat", "complaints", "surveys")

# Fields no customer or agent writes free text into: identifiers, addresses, keys, settings
# written by staff for everyone (templates, articles), machine-made errors and records.
NOT_MASKED = {
    "helpdesk.ApiKey": {"name", "prefix", "secret_hash"},
    "helpdesk.IdempotencyRecord": {"owner", "key", "method", "path", "request_hash"},
    "helpdesk.Team": {"name", "calendar"},
    "helpdesk.Customer": {"name", "email", "phone", "external_id"},  # who the customer is
    "helpdesk.Interaction": {"kind"},
    "helpdesk.CannedResponse": {"title", "shortcut", "body"},  # staff's templates
    "helpdesk.Article": {"title", "slug", "body", "tags"},  # the public knowledge base
    "helpdesk.PolicyVersion": {"version", "document", "approved_by", "change_note"},
    "helpdesk.PolicyReview": {"reviewed_by", "note"},
    "helpdesk.Clock": {
        "target",
        "cancel_reason",
        "outcome_reason",
        "calendar",
        "priority",
        "severity",
    },
    "helpdesk.Notification": {"kind", "url"},
    "helpdesk.WebhookSubscription": {"url", "secret", "description"},
    "helpdesk.WebhookDelivery": {"event", "last_error"},
    "helpdesk.RetentionRecord": {"kind", "case_type"},
    "tickets.InboundEmail": {"content_hash", "message_id", "from_address", "error"},
    "tickets.Mailbox": {"name", "host", "username", "password_encrypted", "folder", "last_error"},
    "tickets.TicketEvent": {"old", "new"},  # statuses, priorities, names
    "tickets.Message": {
        "from_name",
        "from_address",
        "to",
        "cc",
        "message_id",
        "in_reply_to",
        "references",
        "content_hash",
        "send_error",
        # a delivery report's machine-made fields
        "bounce_action",
        "bounce_diagnostic",
        "bounce_recipient",
        "bounce_status",
    },
    "tickets.Attachment": {"filename", "content_type", "content_id"},
    "tickets.Call": {"number"},
    "tickets.Voicemail": {"number"},
    "tickets.CallbackRequest": {"number"},
    "chat.ChatSession": {"name_given", "email_given", "phone_given", "end_reason"},
    "chat.ChatMessage": {"client_id"},
    "chat.SecureDetail": {"label", "ciphertext"},  # the secure form: encrypted, kept apart
    "chat.ConsoleSocket": {"channel_name"},
    "chat.Visit": {"page", "title", "channel_name"},
    "chat.Invitation": {"message"},  # written by staff for visitors
    "complaints.Complaint": {"reference"},
    "complaints.Letter": {"to_address", "email_error"},
    "complaints.LetterTemplate": {"subject", "body"},  # staff's templates
    "complaints.ComplaintReminder": {"key"},
    "complaints.ReviewSent": {"cadence"},
    "surveys.SurveyInvitation": {"key"},
}


def free_text_fields() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        names = {
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices
        }
        if names:
            found[model._meta.label] = names
    return found


def test_every_free_text_field_is_masked_or_said_why_not():
    masked = {model._meta.label: set(fields) for model, fields in masked_fields().items()}
    unaccounted = {
        label: sorted(names - masked.get(label, set()) - NOT_MASKED.get(label, set()))
        for label, names in free_text_fields().items()
    }
    assert {k: v for k, v in unaccounted.items() if v} == {}


def test_the_texts_people_write_are_masked():
    masked = {model._meta.label: set(fields) for model, fields in masked_fields().items()}
    assert masked["chat.ChatMessage"] == {"text"}
    assert masked["chat.ChatSession"] == {"question", "summary", "escalation_notes"}
    assert {"subject", "text", "html", "notes"} <= masked["tickets.Message"]
    assert masked["tickets.Voicemail"] == {"transcript", "notes"}
    assert masked["tickets.Call"] == {"notes"}
    assert {"description"} <= masked["complaints.Complaint"]
    assert masked["complaints.ComplaintEvent"] == {"note"}
    assert masked["surveys.SurveyResponse"] == {"comment"}
    assert masked["helpdesk.Notification"] == {"message"}


# Writes that send no pre_save, each checked: its text is the desk's own, or masked by the caller.
UNSIGNALLED_WRITES_CHECKED = {
    ("tickets/services/merge.py", "TicketEvent"),  # "Merged into #N": the desk's own words
}


def test_writes_past_save_of_masked_models_are_checked():
    """bulk_create / bulk_update send no pre_save: each use on a masked model is listed above
    (helpdesk.services.bulk's insert_rows and update_rows mask by themselves)."""
    root = Path(__file__).resolve().parents[2]
    names = {model.__name__ for model in masked_fields()}
    pattern = re.compile(r"\b(\w+)\.objects\.bulk_(?:create|update)\(")
    found = set()
    for app in PROJECT_APPS:
        for path in (root / app).rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" in relative:
                continue
            for name in pattern.findall(path.read_text(encoding="utf-8")):
                if name in names:
                    found.add((relative, name))
    assert found <= UNSIGNALLED_WRITES_CHECKED, sorted(found - UNSIGNALLED_WRITES_CHECKED)


def test_the_core_bulk_writes_mask(db):
    user = UserFactory()
    [pk] = insert_rows(
        Notification,
        ["recipient_id", "kind", "message", "url", "created_at"],
        [(user.pk, "test", "Licence MORGA753116SM9IJ", "/", timezone.now())],
    )
    assert Notification.objects.get(pk=pk).message == "Licence [driving licence removed]"


def test_the_core_bulk_updates_mask(db):
    note = Notification.objects.create(
        recipient=UserFactory(), kind="test", message="", url="/", created_at=timezone.now()
    )
    update_rows(Notification, ["message"], [(note.pk, "Card 4111 1111 1111 1111")])
    assert Notification.objects.get(pk=note.pk).message == "Card [card removed]"
