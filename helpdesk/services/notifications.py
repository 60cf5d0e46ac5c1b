"""Notifications for staff: an in-app row shown on the desk, and an email sent after commit.

Emails go out from Celery (`helpdesk.tasks.send_notification_email(s)`), never inside the
request or the sweep's transaction; `emailed_at` is set in the transaction that sends, so a
task that runs again sends nothing again.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from helpdesk.links import absolute_url
from helpdesk.models import Clock, Notification
from helpdesk.services.bulk import insert_rows

SEND_EMAIL_TASK = "helpdesk.tasks.send_notification_email"
SEND_EMAILS_TASK = "helpdesk.tasks.send_notification_emails"


def _enqueue_emails(notification_ids: list[int]) -> None:
    """One task for one notification (it retries on its own), one task for a batch."""
    if len(notification_ids) == 1:
        current_app.signature(SEND_EMAIL_TASK, args=[notification_ids[0]]).apply_async()
    elif notification_ids:
        current_app.signature(SEND_EMAILS_TASK, args=[notification_ids]).apply_async()


@dataclass(frozen=True, slots=True)
class NewNotification:
    """A notification to create: who, what kind, the text, and the clock it is about."""

    recipient_id: int
    kind: str
    message: str
    clock_id: int | None = None
    url: str = ""


_FIELDS = ("recipient_id", "clock_id", "kind", "message", "url", "created_at")


@transaction.atomic
def create_notifications(
    *, notifications: Sequence[NewNotification], now: datetime | None = None
) -> list[int]:
    """Insert the notifications in one statement and queue their emails after commit; returns
    their ids."""
    if not notifications:
        return []
    now = now or timezone.now()
    rows = [(n.recipient_id, n.clock_id, n.kind, n.message, n.url, now) for n in notifications]
    ids = insert_rows(Notification, _FIELDS, rows)
    transaction.on_commit(lambda: _enqueue_emails(ids), robust=True)
    return ids


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    message: str,
    clock: Clock | None = None,
    url: str = "",
    now: datetime | None = None,
) -> list[int]:
    """Notify each recipient once (duplicates in `recipient_ids` are dropped); returns the ids."""
    clock_id = clock.pk if clock is not None else None
    unique = dict.fromkeys(pk for pk in recipient_ids if pk)
    rows = [NewNotification(pk, kind, message, clock_id, url) for pk in unique]
    return create_notifications(notifications=rows, now=now)


def _subject(notification: Notification) -> str:
    first_line = notification.message.splitlines()[0] if notification.message else ""
    return f"[Help desk] {first_line}"[:200]


def send_notification_email(*, notification_id: int) -> bool:
    """Email one notification to its recipient, once; True if an email went out now.

    Nothing is sent for a recipient without an email address, or when it was emailed before.
    The row is locked while sending so two runs cannot both send; an SMTP error propagates
    (the task retries it) and leaves the notification unsent.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        address = getattr(notification.recipient, "email", "")
        if not address:
            return False
        body = notification.message
        if notification.url:
            body = f"{body}\n\n{absolute_url(notification.url)}"
        send_mail(
            subject=_subject(notification),
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
        return True


@transaction.atomic
def mark_notifications_read(
    *, user, notification_ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Mark the user's unread notifications (all, or those given) read; returns how many."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=now or timezone.now())
