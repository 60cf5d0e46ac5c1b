"""Celery tasks of surveys: thin, load by id, call a service that checks state first."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

from surveys import services

_MAIL_RETRY = {
    "autoretry_for": (SMTPException, OSError, OperationalError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 8,
}


@shared_task(**_MAIL_RETRY)
def send_survey_invitation(invitation_id: int) -> bool:
    """Email a survey invitation to the customer (once, however often this runs)."""
    return services.send_survey_invitation_email(invitation_id=invitation_id)


@shared_task(**_MAIL_RETRY)
def send_weekly_survey_digest() -> int | None:
    """Run by beat on Monday morning: the previous week's digest to supervisors, once."""
    digest = services.send_weekly_digest()
    return None if digest is None else digest.pk
