"""The daily retention task (beat: `privacy-retention`): thin, it calls the service."""

import logging

from celery import shared_task
from django.db import OperationalError

from helpdesk.privacy.retention import apply_retention as apply_retention_service

logger = logging.getLogger(__name__)

# A day's backlog is worked through in batches; a bigger one goes on at the next run.
MAX_BATCHES = 200


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def apply_retention() -> dict[str, int]:
    """Remove, batch by batch, what the policy's [retention] no longer keeps."""
    total: dict[str, int] = {}
    for _ in range(MAX_BATCHES):
        done = apply_retention_service()
        for key, count in done.items():
            total[key] = total.get(key, 0) + count
        if not any(done.values()):
            break
    if any(total.values()):
        logger.info("Retention: %s", total)
    return total
