"""A customer who is gone: the widget's heartbeat, and the waiting chat nobody will ever answer.

- While a chat is open in the customer's widget, its socket says so: on connecting and then
  every `CHAT_HEARTBEAT_SECONDS` (a `heartbeat` frame), `customer_seen` records the moment on
  the chat (`customer_seen_at`, a column: the sweep finds silent chats with one indexed query,
  and nothing is lost when a worker or Redis restarts). At most one write per chat and half
  interval, whatever the sockets or beats.
- A socket closing alone ends nothing: a reload or a dropped network reconnects in seconds and
  the chat goes on where it was.
- A chat still waiting whose customer has not been heard from for `CHAT_ABANDON_AFTER_SECONDS`
  has been abandoned (`abandon_chat`): it ends as missed, with the reason, its clocks are
  cancelled "customer left before an answer" (a target already breached stays breached), it
  leaves every console's queue at once, and it goes on the customer's history and out as
  `chat.closed`. The presence sweep runs `sweep_abandoned_chats` (beat, every
  CHAT_HEARTBEAT_SECONDS); every step checks the chat's state under its lock, so a repeat, or
  two sweeps at once, end it once.
- An active chat is never ended for silence: its agent is there and closes it with a summary.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat.models import LIVE_STATUSES, ChatSession, ChatStatus, EndReason, Sender
from chat.webhooks import emit_chat_closed
from helpdesk.models.people import Channel
from helpdesk.services.people import record_interaction
from helpdesk.services.sla import cancel_clocks_for

from .common import lock_session
from .events import DESK_GROUP, agent_group, chat_group, publish
from .messages import append_message

LEFT_BEFORE_AN_ANSWER = "customer left before an answer"
ABANDONED_TEXT = "The customer left before an agent could answer."
# A chat still open to its customer: their heartbeat is worth recording.
LIVE = LIVE_STATUSES


def abandon_after() -> timedelta:
    return timedelta(seconds=settings.CHAT_ABANDON_AFTER_SECONDS)


def seen_every() -> timedelta:
    """How often a customer's presence is written at most (half the heartbeat interval)."""
    return timedelta(seconds=settings.CHAT_HEARTBEAT_SECONDS / 2)


def customer_seen(*, session_id: int, now: datetime | None = None) -> bool:
    """The customer's widget is open on the chat now. One UPDATE that writes only when the
    last record is older than `seen_every` and the chat is still live; True if written."""
    now = now or timezone.now()
    written = (
        ChatSession.objects.filter(pk=session_id, status__in=LIVE)
        .filter(Q(customer_seen_at__isnull=True) | Q(customer_seen_at__lt=now - seen_every()))
        .update(customer_seen_at=now)
    )
    return bool(written)


def _silent_since(session: ChatSession) -> datetime:
    return session.customer_seen_at or session.started_at


@transaction.atomic
def abandon_chat(*, session_id: int, now: datetime | None = None) -> bool:
    """End a waiting chat whose customer has been gone `CHAT_ABANDON_AFTER_SECONDS` (the
    module's rule); True if it ended now. A chat taken, ended, or heard from since is left
    as it is."""
    now = now or timezone.now()
    session = lock_session(session_id)
    if session.status != ChatStatus.WAITING or _silent_since(session) > now - abandon_after():
        return False
    offered_to = session.offered_to_id
    session.status = ChatStatus.MISSED
    session.end_reason = EndReason.ABANDONED
    session.closed_at = now
    session.offered_to = None
    session.save(update_fields=["status", "end_reason", "closed_at", "offered_to"])
    cancel_clocks_for(case=session, reason=LEFT_BEFORE_AN_ANSWER, at=now)
    append_message(session=session, sender=Sender.SYSTEM, text=ABANDONED_TEXT, now=now)
    record_interaction(
        customer=session.customer,
        channel=Channel.CHAT,
        kind="chat missed",
        summary=f"Left before an agent answered (waited {_waited(session, now)}).",
        case=session,
        occurred_at=now,
    )
    ended = {"session": session.pk, "reason": EndReason.ABANDONED.value}
    publish(chat_group(session.pk), {"type": "status", "status": ChatStatus.MISSED.value, **ended})
    publish(DESK_GROUP, {"type": "queue", "action": "abandoned", **ended})
    if offered_to:
        publish(agent_group(offered_to), {"type": "queue", "action": "abandoned", **ended})
    emit_chat_closed(session)  # the integrators' webhook, after commit
    return True


def _waited(session: ChatSession, now: datetime) -> str:
    seconds = max(0, int((_silent_since(session) - session.started_at).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def abandoned_chats(*, now: datetime):
    """Waiting chats whose customer has been silent past `CHAT_ABANDON_AFTER_SECONDS` (the
    partial index `chat_waiting_seen`; a chat never heard from counts from its start)."""
    cutoff = now - abandon_after()
    return ChatSession.objects.filter(status=ChatStatus.WAITING).filter(
        Q(customer_seen_at__lt=cutoff) | Q(customer_seen_at__isnull=True, started_at__lt=cutoff)
    )


def sweep_abandoned_chats(*, now: datetime | None = None, batch: int = 500) -> int:
    """Run by the presence sweep: every waiting chat whose customer is gone ends as abandoned
    (`abandon_chat`, one transaction each). Safe to repeat; returns how many ended now."""
    now = now or timezone.now()
    ids = list(abandoned_chats(now=now).order_by("pk").values_list("pk", flat=True)[:batch])
    return sum(abandon_chat(session_id=pk, now=now) for pk in ids)
