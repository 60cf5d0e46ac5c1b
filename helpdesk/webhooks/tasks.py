"""Celery tasks of the webhooks: thin, by id; the service checks state, so a repeat is
harmless."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .delivery import deliver_webhook as deliver
from .delivery import due_deliveries


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def deliver_webhook(delivery_id: int) -> str | None:
    """POST one delivery; after a failed attempt, schedule the next at its backoff time."""
    delivery = deliver(delivery_id=delivery_id)
    if delivery is None:
        return None
    if delivery.status == "pending" and delivery.next_attempt_at is not None:
        deliver_webhook.apply_async((delivery_id,), eta=delivery.next_attempt_at)
    return delivery.status


@shared_task
def queue_webhook_deliveries(delivery_ids: list[int]) -> int:
    """Queue each delivery's own task: the sweep sends one message for a batch's deliveries
    rather than one each. Lost, the beat's `retry_webhook_deliveries` sends them later."""
    for delivery_id in delivery_ids:
        deliver_webhook.delay(delivery_id)
    return len(delivery_ids)


@shared_task
def retry_webhook_deliveries() -> int:
    """Run by beat: every pending delivery whose attempt is due (its own task was lost)."""
    ids = due_deliveries(grace_seconds=settings.WEBHOOK_SWEEP_GRACE_SECONDS)
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)
