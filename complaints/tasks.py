"""Celery tasks of complaints: thin, load by id, call a service that checks state first."""

from smtplib import SMTPException

from celery import Task, shared_task
from django.db import OperationalError

from . import services


class _LetterTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        letter_id = args[0] if args else kwargs.get("letter_id")
        if letter_id is not None:
            services.record_letter_failure(
                letter_id=letter_id, error=f"{type(exc).__name__}: {exc}"
            )


@shared_task(
    base=_LetterTask,
    autoretry_for=(SMTPException, OSError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_complaint_letter(letter_id: int) -> bool:
    """Email one sent letter with its enclosure, once; mail errors are retried with backoff."""
    return services.deliver_letter(letter_id=letter_id)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def remind_complaint_owners() -> int:
    """Beat: remind owners before each deadline and until a holding letter goes (each once)."""
    return services.remind_complaint_owners()


@shared_task(
    autoretry_for=(SMTPException, OSError, OperationalError), retry_backoff=60, max_retries=5
)
def send_complaint_review() -> bool:
    """Beat (hourly): email the managers the review of the last period, once per period."""
    return services.send_complaint_review() is not None
