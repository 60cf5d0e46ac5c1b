"""The waiting customer's timers: past `wait_notice_after` they are told the expected wait, past
`offer_message_after` they are offered to leave a message or ask for a callback.

Each is a Celery task scheduled at its due time (after commit), backed by `sweep_chat_timers`,
which beat runs with the SLA sweep: whichever runs first sends the notice, the other finds it
sent. The services lock the session and check its state, so a repeat is harmless."""

import math
from datetime import datetime, timedelta

from celery import current_app
from django.db import transaction
from django.db.models import Avg, F
from django.utils import timezone

from chat.models import ChatSession, ChatStatus, Sender

from .common import lock_session
from .events import chat_group, publish
from .messages import append_message

WAIT_NOTICE_TASK = "chat.tasks.send_wait_notice"
OFFER_TASK = "chat.tasks.offer_message"
DEFAULT_WAIT_SECONDS = 60


def schedule_timers(session: ChatSession) -> None:
    """After commit, a task at each of the session's timer moments."""
    plan = [(WAIT_NOTICE_TASK, session.wait_notice_due_at), (OFFER_TASK, session.offer_due_at)]
    for task, eta in plan:
        if eta is not None:
            transaction.on_commit(
                lambda task=task, eta=eta: current_app.signature(
                    task, args=[session.pk]
                ).apply_async(eta=eta),
                robust=True,
            )


def queue_position(session: ChatSession) -> int:
    """1 for the chat waiting longest (of its team)."""
    ahead = ChatSession.objects.filter(
        status=ChatStatus.WAITING, team=session.team, started_at__lt=session.started_at
    ).count()
    return ahead + 1


def expected_wait_seconds(session: ChatSession, *, now: datetime) -> int:
    """The queue position times the average wait of chats accepted in the last day (a minute
    when there were none)."""
    recent = ChatSession.objects.filter(
        accepted_at__gte=now - timedelta(days=1), accepted_at__isnull=False
    ).aggregate(wait=Avg(F("accepted_at") - F("started_at")))["wait"]
    average = recent.total_seconds() if recent else DEFAULT_WAIT_SECONDS
    return max(DEFAULT_WAIT_SECONDS, int(average * queue_position(session)))


def waiting_status(session: ChatSession, *, now: datetime | None = None) -> dict:
    """What a waiting customer is shown: their place in the queue and the expected wait."""
    if session.status != ChatStatus.WAITING:
        return {}
    now = now or timezone.now()
    return {
        "position": queue_position(session),
        "expected_wait": expected_wait_seconds(session, now=now),
    }


def wait_text(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return f"Thanks for waiting. An agent will be with you in about {minutes} {unit}."


OFFER_TEXT = (
    "Sorry to keep you waiting. You can keep waiting, leave us a message, or ask us to call "
    "you back: we will reply as soon as we can."
)


@transaction.atomic
def send_wait_notice(*, session_id: int, now: datetime | None = None) -> bool:
    """Tell a still-waiting customer the expected wait, once; True if told now."""
    now = now or timezone.now()
    session = lock_session(session_id)
    due = session.wait_notice_due_at
    if session.status != ChatStatus.WAITING or session.wait_notice_sent_at or not due or due > now:
        return False
    session.wait_notice_sent_at = now
    ChatSession.objects.filter(pk=session.pk).update(wait_notice_sent_at=now)
    seconds = expected_wait_seconds(session, now=now)
    append_message(session=session, sender=Sender.SYSTEM, text=wait_text(seconds), now=now)
    publish(
        chat_group(session.pk),
        {
            "type": "notice",
            "kind": "wait",
            "session": session.pk,
            "expected_wait": seconds,
            "position": queue_position(session),
        },
    )
    return True


@transaction.atomic
def offer_message(*, session_id: int, now: datetime | None = None) -> bool:
    """Offer a still-waiting customer to leave a message or ask for a callback, once."""
    now = now or timezone.now()
    session = lock_session(session_id)
    due = session.offer_due_at
    if session.status != ChatStatus.WAITING or session.offer_sent_at or not due or due > now:
        return False
    session.offer_sent_at = now
    ChatSession.objects.filter(pk=session.pk).update(offer_sent_at=now)
    append_message(session=session, sender=Sender.SYSTEM, text=OFFER_TEXT, now=now)
    publish(
        chat_group(session.pk),
        {
            "type": "notice",
            "kind": "offer",
            "session": session.pk,
            "options": ["wait", "message", "callback"],
        },
    )
    return True


def sweep_chat_timers(*, now: datetime | None = None, batch: int = 500) -> int:
    """Every waiting chat whose notice or offer is due and not sent (partial indexes); returns
    how many were sent."""
    now = now or timezone.now()
    waiting = ChatSession.objects.filter(status=ChatStatus.WAITING)
    notices = waiting.filter(wait_notice_sent_at__isnull=True, wait_notice_due_at__lte=now)
    offers = waiting.filter(offer_sent_at__isnull=True, offer_due_at__lte=now)
    sent = 0
    for pk in notices.order_by("pk").values_list("pk", flat=True)[:batch]:
        sent += send_wait_notice(session_id=pk, now=now)
    for pk in offers.order_by("pk").values_list("pk", flat=True)[:batch]:
        sent += offer_message(session_id=pk, now=now)
    return sent
