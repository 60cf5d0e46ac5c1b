"""Email in from IMAP: a real Dovecot on loopback, polled by the service and the Celery tasks.
(The mailbox without a server, its encrypted password and its admin: test_imap_mailbox.py.)"""

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

import tickets.services.imap as imap
from tickets.models import InboundEmail, Mailbox, MailboxSecurity, Ticket
from tickets.services.imap import poll_mailbox
from tickets.tasks import poll_mailboxes

from .conftest import MONDAY_10AM, eml
from .dovecot import PASSWORD, Dovecot, unavailable

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def dovecot():
    if why := unavailable():
        pytest.skip(why)
    root = Path(tempfile.mkdtemp(prefix="helpdesk-dovecot-"))
    server = Dovecot(root)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def make_mailbox(dovecot: Dovecot, login: str, *, password: str = PASSWORD, **fields) -> Mailbox:
    mailbox = Mailbox(
        name=fields.pop("name", login),
        host=dovecot.host,
        port=dovecot.port,
        security=MailboxSecurity.NONE,
        username=login,
        **fields,
    )
    mailbox.set_password(password)
    mailbox.save()
    return mailbox


def new_email(n: int) -> bytes:
    return (
        eml("plain.eml")
        .replace(b"ann.lee@example.org", f"sender{n}@mail.example.net".encode())
        .replace(b"<CAF1234.kettle@mail.example.org>", f"<imap-{n}@example.org>".encode())
    )


@pytest.fixture
def account(dovecot, policy, django_capture_on_commit_callbacks):
    """A fresh IMAP user and the desk's mailbox for it; acknowledgements are captured."""
    login = dovecot.add_user()
    with django_capture_on_commit_callbacks(execute=False):
        yield login, make_mailbox(dovecot, login)


# The real server ------------------------------------------------------------------------


@pytest.mark.integration
def test_new_messages_become_tickets_and_a_second_poll_adds_nothing(dovecot, account):
    login, mailbox = account
    arrived = MONDAY_10AM - timedelta(minutes=5)
    for n in range(3):
        dovecot.deliver(login, new_email(n), at=arrived)

    result = poll_mailbox(mailbox=mailbox)

    assert result.ok and result.fetched == 3 and result.kinds == {"new": 3}
    assert Ticket.objects.count() == 3
    assert set(Ticket.objects.values_list("customer__email", flat=True)) == {
        f"sender{n}@mail.example.net" for n in range(3)
    }
    # The clocks start when the message reached the mailbox, not when the desk polled.
    assert set(Ticket.objects.values_list("created_at", flat=True)) == {arrived}
    assert dovecot.flags(login) == {1: True, 2: True, 3: True}
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.last_error) == (3, "")
    assert mailbox.last_polled_at == mailbox.last_success_at == MONDAY_10AM
    assert mailbox.uidvalidity and mailbox.poll_lease_until is None

    again = poll_mailbox(mailbox=mailbox)

    assert again.ok and again.fetched == 0
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (3, 3)


@pytest.mark.integration
def test_a_reply_in_the_mailbox_joins_its_ticket(dovecot, account):
    login, mailbox = account
    dovecot.deliver(login, eml("plain.eml"))
    poll_mailbox(mailbox=mailbox)
    ticket = Ticket.objects.get()
    dovecot.deliver(login, eml("reply_references.eml", parent="<CAF1234.kettle@mail.example.org>"))

    result = poll_mailbox(mailbox=mailbox)

    assert result.kinds == {"reply": 1}
    assert Ticket.objects.get() == ticket and ticket.messages.count() == 3  # + the ack


@pytest.mark.integration
def test_the_first_poll_leaves_what_was_read_before_the_desk_came(dovecot, account):
    login, mailbox = account
    dovecot.deliver(login, new_email(1), seen=True)
    dovecot.deliver(login, new_email(2))

    result = poll_mailbox(mailbox=mailbox)

    assert result.fetched == 1
    assert list(Ticket.objects.values_list("customer__email", flat=True)) == [
        "sender2@mail.example.net"
    ]


@pytest.mark.integration
def test_a_wrong_password_is_recorded_on_the_mailbox_and_shown_in_the_admin(
    dovecot, account, admin_client
):
    login, _ = account
    dovecot.deliver(login, new_email(1))
    mailbox = make_mailbox(dovecot, login, name="Wrong", password="not-the-password")

    result = poll_mailbox(mailbox=mailbox)  # raises nothing

    assert not result.ok and result.fetched == 0
    assert result.error.startswith(f"login as {login} failed: [AUTHENTICATIONFAILED]")
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error
    assert mailbox.last_polled_at == MONDAY_10AM and mailbox.last_success_at is None
    assert Ticket.objects.count() == 0 and dovecot.flags(login) == {1: False}
    page = admin_client.get("/admin/tickets/mailbox/").content.decode()
    assert "AUTHENTICATIONFAILED" in page


@pytest.mark.integration
def test_the_stored_password_is_not_the_clear_text(dovecot, account):
    _, mailbox = account
    with connection.cursor() as cursor:
        cursor.execute("SELECT password_encrypted FROM tickets_mailbox WHERE id = %s", [mailbox.pk])
        (stored,) = cursor.fetchone()

    assert stored and "secret" not in stored
    assert Mailbox.objects.get(pk=mailbox.pk).get_password() == "secret"
    assert poll_mailbox(mailbox=mailbox).ok  # and it still logs in


@pytest.mark.integration
def test_a_message_whose_ingestion_fails_stays_unseen_and_is_taken_next_time(
    dovecot, account, monkeypatch
):
    login, mailbox = account
    dovecot.deliver(login, new_email(1))
    dovecot.deliver(login, new_email(2))
    real = imap.ingest_email

    def database_gone(*, raw, received_at=None):
        if b"sender2@" in raw:
            raise RuntimeError("the database went away")
        return real(raw=raw, received_at=received_at)

    monkeypatch.setattr(imap, "ingest_email", database_gone)
    first = poll_mailbox(mailbox=mailbox)

    assert first.kinds == {"new": 1}
    assert first.error == "message UID 2 could not be ingested: the database went away"
    assert dovecot.flags(login) == {1: True, 2: False}
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 1 and "UID 2" in mailbox.last_error

    monkeypatch.setattr(imap, "ingest_email", real)
    second = poll_mailbox(mailbox=mailbox)

    assert second.ok and second.kinds == {"new": 1}
    assert dovecot.flags(login) == {1: True, 2: True} and Ticket.objects.count() == 2
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""


@pytest.mark.integration
def test_a_poll_takes_at_most_its_batch_and_the_next_one_goes_on(dovecot, account):
    login, mailbox = account
    for n in range(3):
        dovecot.deliver(login, new_email(n))

    assert poll_mailbox(mailbox=mailbox, max_messages=2).fetched == 2
    assert poll_mailbox(mailbox=mailbox, max_messages=2).fetched == 1
    assert Ticket.objects.count() == 3


@pytest.mark.integration
def test_a_recreated_folder_is_read_again_from_its_start(dovecot, account):
    login, mailbox = account
    dovecot.deliver(login, new_email(1))
    Mailbox.objects.filter(pk=mailbox.pk).update(uidvalidity=1, last_uid=50)
    mailbox.refresh_from_db()

    result = poll_mailbox(mailbox=mailbox)

    assert result.fetched == 1 and Ticket.objects.count() == 1
    mailbox.refresh_from_db()
    assert mailbox.uidvalidity != 1 and mailbox.last_uid == 1


@pytest.mark.integration
def test_a_missing_folder_is_an_error_on_the_mailbox(dovecot, account):
    _, mailbox = account
    mailbox.folder = "Support Requests"
    mailbox.save()

    result = poll_mailbox(mailbox=mailbox)

    assert result.error.startswith("folder Support Requests: Mailbox doesn't exist")


@pytest.mark.integration
def test_another_folder_with_a_space_in_its_name(dovecot, account):
    login, mailbox = account
    dovecot.deliver(login, new_email(1), folder="Support Requests")
    mailbox.folder = "Support Requests"
    mailbox.save()

    assert poll_mailbox(mailbox=mailbox).kinds == {"new": 1}


@pytest.mark.integration
def test_the_beat_task_polls_every_active_mailbox(dovecot, account, celery_eager):
    login, mailbox = account
    other = dovecot.add_user()
    idle = make_mailbox(dovecot, other, is_active=False)
    dovecot.deliver(login, new_email(1))
    dovecot.deliver(other, new_email(2))

    assert poll_mailboxes.delay().get() == 1

    assert list(Ticket.objects.values_list("customer__email", flat=True)) == [
        "sender1@mail.example.net"
    ]
    idle.refresh_from_db()
    assert idle.last_polled_at is None
