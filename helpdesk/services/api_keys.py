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
from helpdesk.roles import user_role

KEY_PREFIX = "hd"
# last_used_at is written at most this often per key, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewApiKey:
    """A key just created: `key` is the only time the whole key exists outside the client."""

    api_key: ApiKey
    key: str


class ApiKeyRefused(Exception):
    """The key cannot be used; the message says why (for the 401)."""


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


def check_key_owner(owner) -> None:
    """A key acts as its owner, so only active staff with a role (agent, supervisor or
    manager) can own one: a customer's login or a user without a role would give an
    integration powers nobody on the desk holds."""
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": "The key acts as an active user."})
    if not owner.is_staff or user_role(owner) is None:
        raise ValidationError(
            {"owner": "Only staff with a role (agent, supervisor or manager) can own an API key."}
        )


@transaction.atomic
def api_key_create(*, name: str, owner, scopes, now: datetime | None = None) -> NewApiKey:
    """A new API key acting as `owner` with `scopes`; returns it with the whole key."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the integration that uses the key."})
    check_key_owner(owner)
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
    """`api_key_authenticate`, with None for a key that cannot be used."""
    try:
        return api_key_authenticate(key=key, now=now)
    except ApiKeyRefused:
        return None


def api_key_authenticate(*, key: str, now: datetime | None = None) -> ApiKey:
    """The active key `key` is, with its owner loaded; ApiKeyRefused when it is no key of
    ours, revoked, or its owner is no longer active. Marks it used (at most once a minute).

    What the key may do is decided per request: its scopes, bounded by its owner's current
    role (`helpdesk.api.permissions`)."""
    parts = (key or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise ApiKeyRefused("The key is not valid.")
    _, prefix, secret = parts
    api_key = ApiKey.objects.select_related("owner").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, hash_secret(secret)):
        raise ApiKeyRefused("The key is not valid.")
    if api_key.revoked_at is not None:
        raise ApiKeyRefused("The key has been revoked.")
    if not api_key.owner.is_active:
        raise ApiKeyRefused("The key's owner is no longer active.")
    now = now or timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
