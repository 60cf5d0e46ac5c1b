"""Email in from IMAP: a real Dovecot on loopback, polled by the service and the Celery tasks;
the mailbox's password kept encrypted and write-only in the admin."""

import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection

import tickets.services.imap as imap
from config.settings import base
from helpdesk.models.people import Role
from helpdesk.services.people import create_staff_member
from tests.support.servers import free_port
from tickets.encryption import DecryptionError, decrypt, encrypt
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


# Without a server -------------------------------------------------------------------------


def test_a_poll_already_running_is_not_run_twice(policy):
    mailbox = Mailbox(name="Busy", host="127.0.0.1", port=1, username="u")
    mailbox.set_password("p")
    mailbox.poll_lease_until = MONDAY_10AM + timedelta(minutes=1)
    mailbox.save()

    assert poll_mailbox(mailbox=mailbox).skipped
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is None


def test_an_unreachable_server_is_an_error_on_the_mailbox(policy):
    mailbox = Mailbox(name="Down", host="127.0.0.1", port=free_port(), username="u")
    mailbox.security = MailboxSecurity.NONE
    mailbox.set_password("p")
    mailbox.save()

    result = poll_mailbox(mailbox=mailbox)

    assert result.error.startswith(f"connecting to 127.0.0.1:{mailbox.port}: ")
    assert "refused" in result.error.lower()
    mailbox.refresh_from_db()
    assert mailbox.last_error == result.error and mailbox.poll_lease_until is None


def test_a_password_the_key_cannot_open_is_an_error_on_the_mailbox(policy, settings):
    mailbox = Mailbox(name="Rekeyed", host="127.0.0.1", port=1, username="u")
    mailbox.set_password("p")
    mailbox.save()
    settings.MAILBOX_ENCRYPTION_KEY = "a-new-key-nobody-encrypted-with"

    result = poll_mailbox(mailbox=mailbox)

    assert "cannot be decrypted" in result.error and "enter the password again" in result.error


def test_passwords_are_encrypted_with_the_configured_key_and_keys_rotate(settings):
    settings.MAILBOX_ENCRYPTION_KEY = "old-key"
    token = encrypt("pa55 wörd")
    assert token != encrypt("pa55 wörd")  # a fresh IV each time
    assert "pa55" not in token and decrypt(token) == "pa55 wörd"

    settings.MAILBOX_ENCRYPTION_KEY = "new-key, old-key"  # the new one encrypts, both decrypt
    assert decrypt(token) == "pa55 wörd"
    assert decrypt(encrypt("x")) == "x"

    settings.MAILBOX_ENCRYPTION_KEY = "new-key"
    with pytest.raises(DecryptionError):
        decrypt(token)


def test_without_a_key_the_password_is_encrypted_with_a_key_derived_from_secret_key(settings):
    settings.MAILBOX_ENCRYPTION_KEY = ""
    token = encrypt("secret")
    assert decrypt(token) == "secret"
    settings.SECRET_KEY = "another-secret-key-entirely-0123456789-abcdefghijklmnop"
    with pytest.raises(DecryptionError):
        decrypt(token)


# The admin --------------------------------------------------------------------------------


def form_data(**values) -> dict:
    data = {
        "name": "Support",
        "host": "imap.example.com",
        "port": "993",
        "security": "ssl",
        "username": "support@example.com",
        "password": "",
        "folder": "INBOX",
        "is_active": "on",
    }
    data.update(values)
    return data


def test_the_admin_stores_the_password_encrypted_and_never_shows_it(admin_client):
    response = admin_client.post("/admin/tickets/mailbox/add/", form_data(password="s3cret!"))
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.get_password() == "s3cret!" and "s3cret" not in mailbox.password_encrypted

    page = admin_client.get(f"/admin/tickets/mailbox/{mailbox.pk}/change/").content.decode()

    assert 'type="password"' in page
    assert "s3cret" not in page and mailbox.password_encrypted not in page


def test_an_empty_password_in_the_admin_keeps_the_stored_one(admin_client):
    admin_client.post("/admin/tickets/mailbox/add/", form_data(password="first"))
    mailbox = Mailbox.objects.get()
    url = f"/admin/tickets/mailbox/{mailbox.pk}/change/"

    admin_client.post(url, form_data(folder="Support"))
    mailbox.refresh_from_db()
    assert (mailbox.folder, mailbox.get_password()) == ("Support", "first")

    admin_client.post(url, form_data(password="second"))
    mailbox.refresh_from_db()
    assert mailbox.get_password() == "second"


def test_a_new_mailbox_needs_a_password(admin_client):
    response = admin_client.post("/admin/tickets/mailbox/add/", form_data())

    assert response.status_code == 200 and not Mailbox.objects.exists()
    assert "A new mailbox needs its password." in response.content.decode()


def test_supervisors_see_the_mailboxes_and_only_managers_change_them(client):
    supervisor = create_staff_member(
        username="sue", email="sue@example.com", password="a-long-passw0rd!", role=Role.SUPERVISOR
    )
    mailbox = Mailbox.objects.create(name="Support", host="h", username="u")
    client.force_login(supervisor.user)

    assert client.get("/admin/tickets/mailbox/").status_code == 200
    assert client.get("/admin/tickets/mailbox/add/").status_code == 403
    response = client.post(f"/admin/tickets/mailbox/{mailbox.pk}/change/", form_data())
    assert response.status_code == 403


def test_the_admin_polls_the_selected_mailboxes_now_and_says_how_it_went(admin_client, policy):
    mailbox = Mailbox(name="Down", host="127.0.0.1", port=free_port(), username="u")
    mailbox.security = MailboxSecurity.NONE
    mailbox.set_password("p")
    mailbox.save()

    response = admin_client.post(
        "/admin/tickets/mailbox/",
        {"action": "poll_now", "_selected_action": [mailbox.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Down: 0 fetched; error: connecting to 127.0.0.1" in page
    mailbox.refresh_from_db()
    assert mailbox.last_error.startswith("connecting to 127.0.0.1")


def test_beat_polls_the_mailboxes_every_imap_poll_seconds():
    entry = base.CELERY_BEAT_SCHEDULE["imap-poll"]
    assert entry == {"task": "tickets.tasks.poll_mailboxes", "schedule": base.IMAP_POLL_SECONDS}
    assert poll_mailboxes.name == "tickets.tasks.poll_mailboxes"
