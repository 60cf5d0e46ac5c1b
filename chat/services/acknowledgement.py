"""`chat.acknowledge` (POLICY.md, "Acknowledgement"): a customer who starts a chat hears from us
within D of the start.

Rules:
- An agent's first line in the chat within D meets it (`post_agent_message`).
- Otherwise the widget's automatic line goes: a system line in the chat with the customer's
  place in the queue ("You are number 2 in the queue"), at the start when D is "0s" (the clock
  starts met), else when D has passed (`acknowledge_chat_when_due`, the SLA registry's due
  handler, run by the task at the due time or the sweep) and the clock is met then.
- Once: the clock is locked while the line goes and stops with it.
- A chat already ended (left as a message, abandoned, closed) is acknowledged no more: its
  clocks ended with it.
- Left out of the policy: no line and no clock.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError

from chat.models import LIVE_STATUSES, ChatSession, ChatStatus, Sender
from helpdesk import sla_registry
from helpdesk.models import Clock
from helpdesk.policy import ServicePolicy

from .common import ACKNOWLEDGE
from .events import chat_group, publish
from .messages import append_message
from .timers import queue_position


def acknowledges_at_once(policy: ServicePolicy) -> bool:
    """Whether the policy's `chat.acknowledge` is "0s" (the line goes with the start)."""
    within = policy.targets().get(ACKNOWLEDGE)
    return within is not None and within.amount == 0 and within.kind in ("service", "calendar")


def acknowledgement_text(session: ChatSession) -> str:
    if session.status == ChatStatus.WAITING:
        return (
            f"Thank you: we have your chat. You are number {queue_position(session)} in the queue."
        )
    return "Thank you: we have your chat, and an agent is with you."


def acknowledge_chat(*, session: ChatSession, now: datetime) -> None:
    """Post the automatic acknowledgement (the caller holds the session's lock)."""
    append_message(session=session, sender=Sender.SYSTEM, text=acknowledgement_text(session),
                   now=now)  # fmt: skip
    if session.status == ChatStatus.WAITING:
        publish(
            chat_group(session.pk),
            {
                "type": "notice",
                "kind": "acknowledge",
                "session": session.pk,
                "position": queue_position(session),
            },
        )


def acknowledge_chat_when_due(clock: Clock, now: datetime) -> bool:
    """The due handler of `chat.acknowledge`: nobody has written within D, so the automatic line
    goes now (True: the clock stops as met). False for a case that is not a chat, or a chat
    that has ended (the clock breaches: it should have ended with the chat). The chat is
    locked without waiting: `sla_registry.NotNow` when another transaction holds it."""
    if ContentType.objects.get_for_id(clock.case_type_id).model_class() is not ChatSession:
        return False
    try:
        session = (
            ChatSession.objects.select_for_update(of=("self",), nowait=True)
            .filter(pk=clock.case_id)
            .first()
        )
    except DatabaseError:
        raise sla_registry.NotNow from None
    if session is None or session.status not in LIVE_STATUSES:
        return False
    acknowledge_chat(session=session, now=now)
    return True


def register() -> None:
    """Called from the app's ready(); registering twice is harmless."""
    sla_registry.register_due_handler(ACKNOWLEDGE, acknowledge_chat_when_due)
