"""The events and `emit_event`."""

import json
import logging
import threading
import time
from datetime import UTC, datetime
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from helpdesk.models import WebhookDelivery, WebhookSubscription

from .tasks import deliver_webhook

logger = logging.getLogger(__name__)

# Every event a subscription may ask for, and what its `data` holds.
EVENTS: dict[str, str] = {
    "ticket.created": "A ticket was opened on any channel. data: the ticket.",
    "ticket.updated": "A ticket's status, assignee or priority changed, or it was escalated "
    "or noted. data: the ticket and `change` {kind, old, new, note}.",
    "message.created": "A message was added to a ticket (email in or out, internal note). "
    "data: the message (without its body) and its ticket's id and reference.",
    "sla.warning": "A target is about to be missed (the policy's warning fraction has gone). "
    "data: the clock.",
    "sla.breached": "A target was missed. data: the clock.",
    "chat.started": "A live chat started. data: the chat (emitted by the chat app).",
    "chat.closed": "A live chat closed. data: the chat (emitted by the chat app).",
    "complaint.logged": "A complaint was logged. data: the complaint.",
    "complaint.acknowledged": "A complaint was acknowledged in writing. data: the complaint.",
    "complaint.resolved": "A complaint was resolved. data: the complaint.",
    "survey.submitted": "A survey was answered. data: the response.",
}
ALL = "*"


def _json_safe(value) -> dict:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def emit_event(*, name: str, payload: dict, occurred_at: datetime | None = None) -> None:
    """Queue event `name` for every subscription that wants it, once the current transaction
    commits (at once outside one). `payload` must be JSON-serialisable (datetimes are fine)."""
    if name not in EVENTS:
        raise ValueError(f"unknown webhook event {name!r}")
    occurred_at = (occurred_at or timezone.now()).astimezone(UTC)
    envelope = {"event": name, "occurred_at": occurred_at, "data": payload}
    transaction.on_commit(partial(create_deliveries, name, _json_safe(envelope)), robust=True)


# The event names some active subscription wants ("*" among them when one wants every event),
# kept per process for WANTED_TTL seconds so that an event nobody subscribes to costs no query.
# A subscription saved or deleted in this process clears it at once; one changed in another
# process is seen within WANTED_TTL seconds.
WANTED_TTL = 5.0
_wanted_lock = threading.Lock()
_wanted: tuple[float, frozenset[str]] | None = None


def _wanted_events() -> frozenset[str]:
    global _wanted
    cached = _wanted
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    names: set[str] = set()
    for events in WebhookSubscription.objects.filter(is_active=True).values_list(
        "events", flat=True
    ):
        names.update(events or ())
    wanted = frozenset(names)
    with _wanted_lock:
        _wanted = (time.monotonic() + WANTED_TTL, wanted)
    return wanted


def forget_wanted_events(**kwargs) -> None:
    """Clear the cached names (a subscription was saved or deleted)."""
    global _wanted
    with _wanted_lock:
        _wanted = None


post_save.connect(forget_wanted_events, sender=WebhookSubscription, dispatch_uid="webhooks-wanted")
post_delete.connect(
    forget_wanted_events, sender=WebhookSubscription, dispatch_uid="webhooks-wanted-delete"
)


def create_deliveries(name: str, envelope: dict) -> list[int]:
    """One pending delivery per active subscription that wants `name`, each queued for
    Celery; returns their ids. A broker that is down loses nothing: the beat sweep
    (`retry_webhook_deliveries`) sends pending deliveries later."""
    wanted = _wanted_events()
    if name not in wanted and ALL not in wanted:
        return []
    subscriptions = [s for s in WebhookSubscription.objects.filter(is_active=True) if s.wants(name)]
    if not subscriptions:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(subscription=s, event=name, payload=envelope, next_attempt_at=now)
            for s in subscriptions
        ]
    )
    ids = [d.pk for d in deliveries]
    for delivery_id in ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:
            logger.warning("webhook delivery %s not queued; the sweep will", delivery_id)
    return ids
