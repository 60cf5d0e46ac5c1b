"""Celery tasks of the tickets app: thin, load by id, call a service that checks state first,
so a task that runs twice sends nothing twice."""

from smtplib import SMTPException

from celery import Task, shared_task
from django.db import OperationalError

from .models import Mailbox
from .services import deliver_message, record_send_failure
from .services.imap import poll_mailbox as poll_mailbox_service
from .services.outbound import requeue_unsent_messages as requeue_unsent_messages_service


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


@shared_task(ignore_result=True)
def requeue_unsent_messages() -> int:
    """Beat, every TICKETS_SEND_SWEEP_SECONDS: queue again the emails whose send never reached
    Celery (the broker was down) or was lost; each is still sent once."""
    return requeue_unsent_messages_service()


@shared_task(ignore_result=True)
def poll_mailboxes() -> int:
    """Beat, every IMAP_POLL_SECONDS: one `poll_mailbox` task per active mailbox."""
    ids = list(Mailbox.objects.filter(is_active=True).values_list("pk", flat=True))
    for mailbox_id in ids:
        poll_mailbox.delay(mailbox_id)
    return len(ids)


@shared_task(ignore_result=True)
def poll_mailbox(mailbox_id: int) -> str:
    """Poll one mailbox, if it still exists and is active. Errors are recorded on the mailbox,
    not raised (the next beat tries again); a poll that overlaps another is skipped."""
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).first()
    if mailbox is None:
        return "no such active mailbox"
    return str(poll_mailbox_service(mailbox=mailbox))
