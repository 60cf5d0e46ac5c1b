"""Email in: the Message-ID of an email the desk keeps without a ticket message (a bounce of
nothing of ours, a failed email) still makes the same email sent again with other bytes (another
Received line, a fixed From) a duplicate or a retry of it, never a second record."""

import pytest

from tickets.models import InboundEmail, InboundStatus, Ticket
from tickets.services import ingest_email

from .conftest import eml

pytestmark = pytest.mark.django_db


def relayed_again(raw: bytes) -> bytes:
    """The same email as another relay delivers it: one Received line more."""
    return b"Received: from relay2.example.net by mx.helpdesk.example; Mon, 2 Mar 2026\n" + raw


def test_a_kept_bounce_delivered_again_with_other_bytes_is_a_duplicate(ingest):
    first = ingest("bounce.eml")
    assert first.kind == "bounce" and first.inbound.status == InboundStatus.IGNORED

    again = ingest_email(raw=relayed_again(eml("bounce.eml")))

    assert again.kind == "duplicate"
    kept = InboundEmail.objects.get()
    assert kept.pk == first.inbound.pk and kept.status == InboundStatus.IGNORED


def test_a_failed_email_sent_again_with_other_bytes_replaces_its_failed_record(ingest):
    broken = eml("plain.eml").replace(b"<ann.lee@example.org>", b"<ann@no-dot-domain>")
    failed = ingest_email(raw=broken)
    assert failed.kind == "failed"
    assert InboundEmail.objects.get().message_id == "<CAF1234.kettle@mail.example.org>"

    fixed = ingest_email(raw=eml("plain.eml"))  # the same Message-ID, the sender fixed

    assert fixed.kind == "new"
    kept = InboundEmail.objects.get()
    assert kept.pk == failed.inbound.pk
    assert (kept.status, kept.ticket) == (InboundStatus.PROCESSED, fixed.ticket)
    assert Ticket.objects.count() == 1


def test_a_failed_email_failing_again_with_other_bytes_keeps_one_record(ingest):
    broken = eml("plain.eml").replace(b"<ann.lee@example.org>", b"<ann@no-dot-domain>")
    ingest_email(raw=broken)

    again = ingest_email(raw=relayed_again(broken))

    assert again.kind == "failed"
    kept = InboundEmail.objects.get()
    assert kept.message_id == "<CAF1234.kettle@mail.example.org>"
    assert kept.content_hash == again.inbound.content_hash
