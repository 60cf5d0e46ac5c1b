"""Masking is the policy's rule on every channel (issue #12, defect 6): an email's card number is
masked before it is stored, so the ticket page never shows it; the raw .eml is kept as received
(evidence), for retention to remove. Notes, replies, escalations and phone notes likewise."""

import pytest
from django.urls import reverse

from helpdesk.models import Notification, Role
from helpdesk.privacy.services import forget_mask_kinds
from helpdesk.services.policy import publish_policy_version
from tests.policy.support import PROJECT_COPY
from tickets.models import Direction, Message, TicketEvent
from tickets.services import add_internal_note, escalate_ticket, ingest_email
from tickets.services.phone.calls import log_call
from tickets.services.phone.cases import record_voicemail

from .conftest import MONDAY_10AM
from .desk_support import logged_in, staff

pytestmark = pytest.mark.django_db

CARD = "4111 1111 1111 1111"
EMAIL = f"""From: Ann Lee <ann.lee@example.org>
To: Example Support <support@helpdesk.example>
Subject: Refund to card {CARD}
Date: Mon, 02 Mar 2026 09:15:00 +0000
Message-ID: <masking.1@mail.example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Please refund my card {CARD}. My NI number is AB 12 34 56 C.
Licence MORGA753116SM9IJ.

--b
Content-Type: text/html; charset=utf-8

<p>Please refund my card <b>{CARD}</b>. My NI number is AB 12 34 56 C.</p>

--b--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def maya(policy):
    boss = staff("sam", role=Role.SUPERVISOR)
    return staff("maya", supervisor=boss)


def test_an_emails_numbers_are_masked_where_stored_and_shown(policy, maya):
    result = ingest_email(raw=EMAIL)
    ticket = result.ticket
    message = Message.objects.get(ticket=ticket, direction=Direction.INBOUND)
    assert ticket.subject == "Refund to card [card removed]"
    assert message.subject == "Refund to card [card removed]"
    assert "[card removed]" in message.text and "[NI number removed]" in message.text
    assert "[driving licence removed]" in message.text
    for text in (ticket.subject, message.text, message.html, result.inbound.subject):
        assert "4111" not in text and "AB 12" not in text and "MORGA" not in text
    page = logged_in(maya).get(reverse("tickets:ticket", args=[ticket.number]))
    assert page.status_code == 200
    assert CARD not in page.content.decode() and "[card removed]" in page.content.decode()
    # The raw email is evidence, kept as received (retention removes it).
    with result.inbound.raw.open("rb") as raw:
        assert CARD.encode() in raw.read()


def test_notes_and_escalations_are_masked(policy, maya):
    ticket = ingest_email(raw=EMAIL).ticket
    add_internal_note(ticket=ticket, author=maya, text=f"Customer read out {CARD}")
    escalate_ticket(ticket=ticket, actor=maya, notes="Licence MORGA753116SM9IJ looks forged")
    notes = list(TicketEvent.objects.filter(ticket=ticket).values_list("note", flat=True))
    notes += list(Message.objects.filter(ticket=ticket).values_list("text", flat=True))
    notes += list(Notification.objects.values_list("message", flat=True))
    assert not [n for n in notes if "4111" in n or "MORGA" in n]
    assert any("[driving licence removed]" in n for n in notes)


def test_the_policy_in_force_says_what_is_masked(policy, maya):
    document = PROJECT_COPY.read_text().replace('version = "', 'version = "9', 1)
    document += '\n[privacy]\nmask = ["nino"]\n'
    publish_policy_version(
        document=document, approved_by="Test", change_note="Cards only", now=MONDAY_10AM
    )
    ticket = ingest_email(raw=EMAIL).ticket
    message = Message.objects.get(ticket=ticket, direction=Direction.INBOUND)
    assert ticket.subject == f"Refund to card {CARD}"
    assert CARD in message.text and "[NI number removed]" in message.text
    forget_mask_kinds()


def test_phone_notes_and_voicemail_transcripts_are_masked(policy, maya):
    voicemail = record_voicemail(
        number="+44 7700 900123",
        received_at=MONDAY_10AM,
        duration=30,
        transcript=f"Hi, my card is {CARD}, call me back",
    )
    call = log_call(
        agent=maya,
        number="+44 7700 900123",
        direction="inbound",
        started_at=MONDAY_10AM,
        duration=60,
        outcome="answered",
        notes="Read out NI AB 12 34 56 C",
    )
    voicemail.refresh_from_db()
    call.refresh_from_db()
    assert voicemail.transcript == "Hi, my card is [card removed], call me back"
    assert call.notes == "Read out NI [NI number removed]"
