"""Secrets the desk must give back (a mailbox's IMAP password), kept encrypted in the database.

Fernet (from `cryptography`: AES-128-CBC with an HMAC-SHA256 tag, authenticated) with keys from
the setting `MAILBOX_ENCRYPTION_KEY`: any long random string, or several separated by commas to
rotate keys (the first encrypts, every one decrypts). Each is stretched into a Fernet key with
HKDF-SHA256, so a Django-style secret works as well as a Fernet key. When it is empty the key is
derived from `SECRET_KEY` (with its own HKDF label, so the key is not SECRET_KEY itself): changing
SECRET_KEY then makes stored passwords unreadable, and they must be entered again.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["DecryptionError", "decrypt", "encrypt"]

_LABEL = b"helpdesk mailbox password v1"


class DecryptionError(ValueError):
    """The value was not encrypted with any of the keys in force (or was tampered with)."""


def _fernet_key(secret: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABEL).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(derived)


@cache
def _fernet(secrets: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(secret)) for secret in secrets])


def _keys() -> MultiFernet:
    configured = getattr(settings, "MAILBOX_ENCRYPTION_KEY", "") or ""
    secrets = tuple(s.strip() for s in configured.split(",") if s.strip())
    return _fernet(secrets or (settings.SECRET_KEY,))


def encrypt(value: str) -> str:
    """`value` encrypted with the first key (a URL-safe ASCII token); '' stays ''."""
    if not value:
        return ""
    return _keys().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The clear text of `token`; raises `DecryptionError` when no key in force opens it."""
    if not token:
        return ""
    try:
        return _keys().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError) as error:
        raise DecryptionError(
            "the stored password cannot be decrypted with MAILBOX_ENCRYPTION_KEY "
            "(or SECRET_KEY): the key changed; enter the password again"
        ) from error
