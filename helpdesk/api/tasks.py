"""Celery tasks of the API (registered by `HelpdeskConfig.ready()`)."""

from celery import shared_task

from .idempotency import purge_idempotency_records


@shared_task
def purge_idempotency_keys() -> int:
    """Run by beat: forget responses kept for `Idempotency-Key` past API_IDEMPOTENCY_HOURS."""
    return purge_idempotency_records()
