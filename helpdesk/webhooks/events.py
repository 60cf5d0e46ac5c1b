"""The events and `emit_event`."""

import json
import logging
import threading
import time
from datetime import UTC, datetime
from functools import partial

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from psycopg.types.json import Jsonb

from helpdesk.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from helpdesk.services.bulk import insert_rows

from .tasks import deliver_webhook, queue_webhook_deliveries

logger = logging.getLogger(__name__)

# Every event a subscription may ask for, and what its `data` holds. Ids are numbers, times
# ISO 8601 in UTC, `*_id` null when there is none; what a conversation says (message bodies, a
# complaint's description, a survey comment, a chat's question, transcript or secure form) never
# goes out, only subjects and the agents' summaries.
EVENTS: dict[str, str] = {
    "ticket.created": "A ticket was opened on any channel. data: the ticket {id, number, "
    "reference, subject, channel, status, priority, customer_id, team_id, assignee_id, "
    "created_at, updated_at}.",
    "ticket.updated": "A ticket's status, assignee, priority or team changed, or it was "
    "escalated or noted. data: the ticket and `change` {kind (status, assignee, priority, team, "
    "escalation or note), old, new, note}.",
    "message.created": "A message was added to a ticket (email in or out, internal note). "
    "data: the message {id, ticket_id, reference, direction, automatic, author_id, "
    "from_address, subject, created_at}, without its body.",
    "sla.warning": "A target is about to be missed (the policy's warning fraction has gone). "
    "data: the clock {clock_id, target, round, channel, case_type, case_id, started_at, due_at, "
    "warned_at, breached_at, assignee_id, policy_version_id}.",
    "sla.breached": "A target was missed. data: the clock, as for sla.warning.",
    "chat.started": "A customer started a live chat (it waits for an agent). data: the chat "
    "{id, status, customer_id, team_id, agent_id, started_at, accepted_at, first_response_at, "
    "closed_at, ticket_id}.",
    "chat.closed": "A live chat ended: status closed (by the agent, or the customer confirmed "
    "the resolution) or missed, nobody having answered, with end_reason abandoned (the customer "
    "left while waiting) or left_message (ticket_id is that ticket). data: the chat as for "
    "chat.started, with summary (the agent's, redacted), customer_confirmed_resolved (true, "
    "false or null), escalated and end_reason (empty unless missed). Never the transcript or "
    "anything given through the secure form.",
    "complaint.logged": "A complaint was logged. data: the complaint {id, reference, status, "
    "channel, category, severity, customer_id, owner_id, source_type, source_id, received_at, "
    "acknowledge_due_at, resolution_due_at, respond_by, acknowledged_at, resolved_at, "
    "updated_at}.",
    "complaint.acknowledged": "A complaint was acknowledged in writing. data: the complaint "
    "and `letter` {id, kind, sent_via, sent_at}.",
    "complaint.resolved": "A complaint was resolved with a final response. data: the complaint, "
    "`letter`, outcome, root_cause and remedy.",
    "survey.submitted": "A customer answered a survey. data: the response {id, invitation_id, "
    "conversation_type (ticket or chatsession), conversation_id, channel, customer_id, "
    "agent_id, answered, score, scale, commented, submitted_at, follow_up_opened, "
    "follow_up_id, follow_up_due_at}.",
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


def emit_events(*, name: str, events: list[tuple[dict, datetime | None]]) -> None:
    """`emit_event` for many (payload, occurred_at) of one event name at once: their deliveries
    are made with one query for the subscriptions and one insert, however many there are."""
    if name not in EVENTS:
        raise ValueError(f"unknown webhook event {name!r}")
    envelopes = [
        _json_safe(
            {
                "event": name,
                "occurred_at": (occurred_at or timezone.now()).astimezone(UTC),
                "data": payload,
            }
        )
        for payload, occurred_at in events
    ]
    if envelopes:
        transaction.on_commit(partial(create_deliveries_many, name, envelopes), robust=True)


def is_wanted(name: str) -> bool:
    """Whether some active subscription wants event `name` (cached: usually no query), so that
    an event nobody subscribes to need not even be built."""
    wanted = _wanted_events()
    return name in wanted or ALL in wanted


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


def _insert_deliveries(rows: list[tuple[int, str, dict, datetime]]) -> list[int]:
    """Pending deliveries (subscription id, event, envelope, now) in one statement; their ids
    in order. On PostgreSQL the envelopes go bound as one jsonb array (`insert_rows`): Django's
    bulk_create renders a thousand JSON parameters into the SQL, half a millisecond each."""
    if connection.vendor != "postgresql":
        created = WebhookDelivery.objects.bulk_create(
            WebhookDelivery(subscription_id=s, event=e, payload=p, created_at=t, next_attempt_at=t)
            for s, e, p, t in rows
        )
        return [d.pk for d in created]
    fields = ("subscription_id", "event", "payload", "status", "attempts", "last_error")
    fields += ("created_at", "next_attempt_at")
    return insert_rows(
        WebhookDelivery,
        fields,
        [(s, e, Jsonb(p), DeliveryStatus.PENDING, 0, "", t, t) for s, e, p, t in rows],
    )


def create_deliveries(name: str, envelope: dict) -> list[int]:
    """One pending delivery per active subscription that wants `name`, each queued for
    Celery; returns their ids. A broker that is down loses nothing: the beat sweep
    (`retry_webhook_deliveries`) sends pending deliveries later."""
    return create_deliveries_many(name, [envelope])


def create_deliveries_many(name: str, envelopes: list[dict]) -> list[int]:
    """`create_deliveries` for each envelope, with one query for the subscriptions and one
    insert for all the deliveries."""
    if not envelopes or not is_wanted(name):
        return []
    subscriptions = [s for s in WebhookSubscription.objects.filter(is_active=True) if s.wants(name)]
    if not subscriptions:
        return []
    now = timezone.now()
    ids = _insert_deliveries(
        [(s.pk, name, envelope, now) for envelope in envelopes for s in subscriptions]
    )
    if len(ids) > 1:
        # One message for the lot (a sweep's batch makes a thousand): the worker queues each
        # delivery's own task, so they still go out in parallel and retry one by one.
        try:
            queue_webhook_deliveries.delay(ids)
        except Exception:
            logger.warning("%d webhook deliveries not queued; the sweep will", len(ids))
        return ids
    for delivery_id in ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:
            logger.warning("webhook delivery %s not queued; the sweep will", delivery_id)
    return ids
