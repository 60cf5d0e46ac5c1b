from django.db import models
from django.utils import timezone

from ..encryption import decrypt, encrypt


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", "SSL/TLS (IMAPS, usually port 993)"
    STARTTLS = "starttls", "STARTTLS (usually port 143)"
    NONE = "none", "None (loopback or a trusted network only)"


class Mailbox(models.Model):
    """An IMAP folder the desk polls for email (see `tickets.services.imap`).

    The password is stored encrypted (`tickets.encryption`), never in clear text: set it with
    `set_password()`, read it with `get_password()`. `uidvalidity` and `last_uid` remember how
    far the folder has been read, so each poll fetches only the messages that came since;
    `last_error` says what went wrong at the last poll ('' when it went well).
    """

    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(
        max_length=10, choices=MailboxSecurity.choices, default=MailboxSecurity.SSL
    )
    username = models.CharField(max_length=255)
    password_encrypted = models.TextField(
        blank=True, editable=False, help_text="The password, encrypted (Fernet)."
    )
    folder = models.CharField(max_length=255, default="INBOX")
    is_active = models.BooleanField(default=True, help_text="Polled by Celery beat.")
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    uidvalidity = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.PositiveBigIntegerField(default=0, editable=False)
    poll_lease_until = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="A poll is running until then."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self):
        return self.name

    def set_password(self, password: str) -> None:
        """Keep `password` encrypted (not saved until the mailbox is)."""
        self.password_encrypted = encrypt(password)

    def get_password(self) -> str:
        """The clear password; raises `tickets.encryption.DecryptionError` if the key changed."""
        return decrypt(self.password_encrypted)
