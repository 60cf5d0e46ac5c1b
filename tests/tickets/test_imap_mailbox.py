"""Email in from IMAP without a server: polls that cannot run, the mailbox's password kept
encrypted and write-only in the admin, and the beat schedule. (Polling a real Dovecot:
test_imap_poll.py.)"""

from datetime import timedelta

import pytest

from config.settings import base
from helpdesk.models.people import Role
from helpdesk.services.people import create_staff_member
from tests.support.servers import free_port
from tickets.encryption import DecryptionError, decrypt, encrypt
from tickets.models import Mailbox, MailboxSecurity
from tickets.services.imap import poll_mailbox
from tickets.tasks import poll_mailboxes

from .conftest import MONDAY_10AM

pytestmark = pytest.mark.django_db


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
