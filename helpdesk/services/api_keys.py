"""API keys: created with their scopes (the whole key shown once), checked on every request,
revoked. The secret is never stored, only its SHA-256."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk.models import ApiKey, Scope

KEY_PREFIX = "hd"
# last_used_at is written at most this often per key, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: `key` is the only time the whole key exists outside the client."""

    api_key: ApiKey
    key: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def check_scopes(scopes) -> list[str]:
    """The scopes, validated and de-duplicated in Scope's order."""
    if not isinstance(scopes, list | tuple) or not all(isinstance(s, str) for s in scopes):
        raise ValidationError({"scopes": "A list of scope names."})
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise ValidationError({"scopes": f"Unknown scopes: {', '.join(unknown)}."})
    return [scope for scope in Scope.values if scope in scopes]


@transaction.atomic
def api_key_create(*, name: str, owner, scopes, now: datetime | None = None) -> NewApiKey:
    """A new API key acting as `owner` with `scopes`; returns it with the whole key."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the integration that uses the key."})
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": "The key acts as an active user."})
    scopes = check_scopes(scopes)
    while True:
        prefix = secrets.token_hex(4)
        if not ApiKey.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        scopes=scopes,
        owner=owner,
        created_at=now or timezone.now(),
    )
    return NewApiKey(api_key=api_key, key=f"{KEY_PREFIX}_{prefix}_{secret}")


def api_key_revoke(*, api_key: ApiKey, now: datetime | None = None) -> ApiKey:
    """Revoke the key: it is refused from now on. Revoking twice keeps the first time."""
    if api_key.revoked_at is None:
        api_key.revoked_at = now or timezone.now()
        ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=api_key.revoked_at
        )
    return api_key


def api_key_check(*, key: str, now: datetime | None = None) -> ApiKey | None:
    """The active key `key` is, with its owner loaded; None when it is no key of ours,
    revoked, or its owner is inactive. Marks it used (at most once a minute)."""
    parts = (key or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    _, prefix, secret = parts
    api_key = ApiKey.objects.select_related("owner").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, hash_secret(secret)):
        return None
    if api_key.revoked_at is not None or not api_key.owner.is_active:
        return None
    now = now or timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
