"""The events and `emit_event`."""

import json
import logging
from datetime import UTC, datetime
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
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


def create_deliveries(name: str, envelope: dict) -> list[int]:
    """One pending delivery per active subscription that wants `name`, each queued for
    Celery; returns their ids. A broker that is down loses nothing: the beat sweep
    (`retry_webhook_deliveries`) sends pending deliveries later."""
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
