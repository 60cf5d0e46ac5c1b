"""Email in from IMAP, hostile messages in the folder: a real Dovecot on loopback. No message can
stop a poll (or every later poll, left unseen): each is kept, read or failed with its reason,
marked seen, and the messages after it are taken in."""

import pytest

from tickets.models import InboundEmail, InboundStatus, Message
from tickets.services import retry_inbound_email
from tickets.services.imap import poll_mailbox

from .hostile import ENCODED_WORD, ISSUE_SUBJECT_WORDS, message, ordinary
from .test_imap_poll import account, dovecot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_hostile_messages_never_stop_a_poll(dovecot, account):  # noqa: F811
    login, mailbox = account
    hostile = [
        message(1, b"Subject: " + ENCODED_WORD * ISSUE_SUBJECT_WORDS + b"\r\n"),
        message(2, b"Subject: =?utf-7?q?+2D8-?= a lone surrogate\r\n"),
        message(3, b"Subject: x\r\n", head=b"From: " + b"(" * 5000 + b"a@example.net\r\n"),
    ]
    for raw in hostile:
        dovecot.deliver(login, raw)
    dovecot.deliver(login, ordinary(1))

    result = poll_mailbox(mailbox=mailbox)

    assert result.ok, result.error
    assert result.fetched == 4 and sum(result.kinds.values()) == 4
    assert dovecot.flags(login) == {1: True, 2: True, 3: True, 4: True}
    assert InboundEmail.objects.count() == 4
    failed = InboundEmail.objects.filter(status=InboundStatus.FAILED)
    assert "TICKETS_MAX_HEADER_BYTES" in failed.get(size=len(hostile[0])).error
    assert Message.objects.get(message_id="<hostile-2@example.net>").subject == (
        "\ufffd a lone surrogate"
    )
    assert Message.objects.filter(message_id="<ordinary-1@example.org>").exists()


def test_a_message_over_the_size_limit_is_kept_cut_short_and_stays_in_the_mailbox(
    dovecot,  # noqa: F811
    account,  # noqa: F811
    settings,
):
    login, mailbox = account
    settings.TICKETS_MAX_EMAIL_BYTES = 2000
    big = message(4, b"Subject: big\r\n", b"x" * 5000 + b"\r\n")
    dovecot.deliver(login, big)
    dovecot.deliver(login, ordinary(2))

    result = poll_mailbox(mailbox=mailbox)

    assert result.ok and result.kinds == {"failed": 1, "new": 1}
    kept = InboundEmail.objects.get(status=InboundStatus.FAILED)
    assert kept.raw.read() == big[:2000]  # no more was fetched
    assert kept.size == len(big)
    assert kept.error == (
        "the email is larger than the 2000 bytes limit (TICKETS_MAX_EMAIL_BYTES): it is "
        f"{len(big)} bytes, of which only the first 2000 were read and kept"
    )
    assert retry_inbound_email(inbound=kept).kind == "failed"  # it is not all there
    assert Message.objects.filter(message_id="<ordinary-2@example.org>").exists()
