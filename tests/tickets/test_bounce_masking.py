"""A bounce quotes what the receiving server said, and a server may quote the email it refused:
a card number in that diagnostic is masked like every other text the desk keeps, on the ticket
page and in the API, as the policy's `[privacy]` says."""

import pytest
from django.urls import reverse

from tickets.models import Message
from tickets.services import ingest_email, send_reply

from .conftest import eml
from .desk_support import logged_in, staff

pytestmark = pytest.mark.django_db

CARD = "4111 1111 1111 1111"


@pytest.fixture
def maya(policy):
    return staff("maya", first_name="Maya", last_name="Patel")


def test_a_card_number_in_a_bounce_s_diagnostic_is_masked(
    ingest, maya, django_capture_on_commit_callbacks
):
    ticket = ingest("plain.eml").ticket
    with django_capture_on_commit_callbacks(execute=False):
        reply = send_reply(ticket=ticket, author=maya, text="Could you send us a photo?")
    raw = eml(
        "dsn_null_sender.eml", tag="1", subject=reply.subject, message_id=reply.message_id
    ).replace(
        b" User unknown in virtual mailbox table",
        f" User unknown (your text: pay with {CARD})".encode(),
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert ingest_email(raw=raw).kind == "bounce"

    bounced = Message.objects.get(pk=reply.pk)
    assert CARD not in bounced.bounce_diagnostic
    assert "[card removed]" in bounced.bounce_diagnostic
    page = logged_in(maya).get(reverse("tickets:ticket", args=[ticket.number]))
    assert page.status_code == 200
    assert CARD not in page.content.decode()
