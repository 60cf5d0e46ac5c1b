"""Webhooks: events the help desk tells integrators about.

Any app emits an event with `emit_event(name=..., payload={...})` inside its transaction; once
it commits, one `WebhookDelivery` is made for each active subscription that wants the event,
and Celery POSTs it (`helpdesk.webhooks.tasks.deliver_webhook`): signed, with a timeout,
retried with exponential backoff, every attempt recorded (the delivery log in the admin and
`/api/v1/webhooks/{id}/deliveries/`). Nothing is sent for a transaction that rolls back.

The body is JSON: `{"id": <delivery id>, "event": name, "occurred_at": ISO 8601 UTC, "data":
payload}`. Headers: `X-Helpdesk-Event`, `X-Helpdesk-Delivery`, `X-Helpdesk-Timestamp` (Unix
seconds) and `X-Helpdesk-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the
subscription's secret>`. A receiver recomputes it over the raw body, compares in constant time,
and refuses old timestamps (replays).

Each channel builds its events' data in its own `webhooks.py` (tickets, chat, complaints,
surveys; `sla.py` here for the clocks), called by its services. Where a webhook may go (the
SSRF guard, checked at subscription and again at each delivery) is `addresses.py`.
"""

from .events import EVENTS, emit_event

__all__ = ["EVENTS", "emit_event"]
