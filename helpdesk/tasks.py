"""Celery tasks of the core. Each loads by id and calls a service that checks state first, so a
task that runs twice (a re-delivered message, the sweep racing a scheduled task) is harmless."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from helpdesk.services import notifications, policy_review, sla

logger = logging.getLogger(__name__)

# Database hiccups are retried; anything else is a bug to see in the logs.
_RETRY = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": True,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


@shared_task(**_RETRY)
def check_clock(clock_id: int) -> None:
    """Scheduled at a clock's due time: record its breach (and what else is due)."""
    sla.check_clock(clock_id=clock_id)


@shared_task(**_RETRY)
def sweep_clocks() -> dict[str, int]:
    """Run by beat every SLA_SWEEP_SECONDS: every clock whose moment has come."""
    report = sla.sweep_clocks()
    if report.clocks:
        logger.info("SLA sweep: %s", report.as_dict())
    return report.as_dict()


@shared_task(**_RETRY)
def keep_policy_review() -> None:
    """Run by beat hourly: the version in force has its `policy.review` clock (a version that
    took effect since gets its own; the one it replaced ends cancelled)."""
    policy_review.keep_policy_review()


@shared_task(
    autoretry_for=(SMTPException, OSError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> None:
    """Email one notification (once, however often this runs); retried on mail errors."""
    notifications.send_notification_email(notification_id=notification_id)


@shared_task
def send_notification_emails(notification_ids: list[int]) -> None:
    """A sweep's batch of notifications: one retrying task per email, so a slow or failing
    address holds up no other (the sweep itself sends one message per batch)."""
    for notification_id in notification_ids:
        send_notification_email.delay(notification_id)
