"""Webhook subscriptions: created, changed and deleted only here, so the API
(`/api/v1/webhooks/`) and the admin keep the same rules.

Rules (`check_subscription`):
- the URL is where deliveries may go (`addresses.check_url`: https, a public address; checked
  again at every delivery), at most 500 characters;
- at least one event, each a known event name or "*" for every event;
- the signing secret is 16 to 128 characters; left out, one is generated (and on a change,
  the one kept stays);
- the description is at most 200 characters.
A refusal is a `ValidationError` naming the field, and nothing is saved.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from helpdesk.models import WebhookSubscription

from .addresses import RefusedAddress, check_url, current_rules
from .events import ALL, EVENTS

MAX_URL = 500
MIN_SECRET, MAX_SECRET = 16, 128
MAX_DESCRIPTION = 200
EVENT_CHOICES = (ALL, *EVENTS)
FIELDS = ("url", "events", "secret", "is_active", "description")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def check_subscription(
    *, url: str, events: list[str], secret: str | None, description: str = ""
) -> None:
    """Every rule above on these values (the secret's unless it is None: kept, not given); a
    ValidationError with a message per field refused."""
    errors: dict[str, str] = {}
    if not url or len(url) > MAX_URL:
        errors["url"] = f"Give the URL to deliver to (at most {MAX_URL} characters)."
    else:
        try:
            check_url(url, current_rules())
        except RefusedAddress as refusal:
            errors["url"] = str(refusal)
    if not isinstance(events, list) or not events:
        errors["events"] = "Choose at least one event ('*' for every event)."
    elif unknown := [name for name in events if name not in EVENT_CHOICES]:
        errors["events"] = f"Not an event: {', '.join(map(str, unknown))}."
    if secret is not None and not MIN_SECRET <= len(secret) <= MAX_SECRET:
        errors["secret"] = f"The secret is {MIN_SECRET} to {MAX_SECRET} characters."
    if len(description or "") > MAX_DESCRIPTION:
        errors["description"] = f"At most {MAX_DESCRIPTION} characters."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscription_create(
    *,
    url: str,
    events: list[str],
    created_by,
    secret: str | None = None,
    is_active: bool = True,
    description: str = "",
) -> WebhookSubscription:
    """Subscribe `url` to `events` (the rules above); without a secret, one is generated."""
    secret = secret or new_secret()
    check_subscription(url=url, events=events, secret=secret, description=description)
    return WebhookSubscription.objects.create(
        url=url,
        events=list(events),
        secret=secret,
        is_active=is_active,
        description=description or "",
        created_by=created_by,
    )


@transaction.atomic
def subscription_update(*, subscription: WebhookSubscription, **changes) -> WebhookSubscription:
    """Change any of url, events, secret, is_active, description (the rules above, on the
    subscription as it would be); an empty or missing secret keeps the current one."""
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(f"Not a subscription's field: {', '.join(sorted(unknown))}.")
    if not changes.get("secret", True):
        del changes["secret"]
    values = {field: getattr(subscription, field) for field in FIELDS} | changes
    check_subscription(
        url=values["url"],
        events=values["events"],
        secret=changes.get("secret"),  # a kept secret is not judged again
        description=values["description"],
    )
    for field, value in changes.items():
        setattr(subscription, field, value)
    if changes:
        subscription.save(update_fields=list(changes))
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Delete the subscription and its delivery log."""
    subscription.delete()
