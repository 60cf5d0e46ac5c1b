"""Celery tasks of the tickets app: thin, load by id, call a service that checks state first,
so a task that runs twice sends nothing twice."""

from smtplib import SMTPException

from celery import Task, shared_task
from django.db import OperationalError

from .services import deliver_message, record_send_failure


class _SendTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # The last retry failed: the ticket's timeline says the email was not sent.
        message_id = args[0] if args else kwargs.get("message_id")
        if message_id is not None:
            record_send_failure(message_id=message_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=_SendTask,
    autoretry_for=(SMTPException, OSError, OperationalError),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
)
def send_ticket_message(message_id: int) -> None:
    """Email one outbound ticket message (a reply or an acknowledgement), once; mail errors
    are retried with backoff for about four hours before the ticket is told."""
    deliver_message(message_id=message_id)
