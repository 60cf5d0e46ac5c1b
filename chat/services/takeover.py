"""A supervisor or a manager takes a chat over: the answer to an escalation (or to anything they
see while watching a chat live). The chat becomes theirs the way a transfer makes it another
agent's (`routing._assign`: the handler, the clocks' assignee, the consoles told), and only
then is the customer told that a supervisor has joined."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from chat.access import ChatAction, check_chat_access
from chat.models import ChatSession, ChatStatus
from helpdesk.models import Role
from helpdesk.models.people import Channel
from helpdesk.services.people import record_interaction

from .common import ChatClosed, lock_session
from .events import agent_group, author_name, publish
from .routing import _assign, offer_waiting_chats

_TITLES = {Role.SUPERVISOR: "a supervisor", Role.MANAGER: "a manager"}


@transaction.atomic
def take_over_chat(*, session_id: int, by, now: datetime | None = None) -> ChatSession:
    """The chat becomes `by`'s. Rules: only a supervisor or a manager (`chat.access`,
    TAKE_OVER), only an active chat that is not already theirs (ChatClosed otherwise); their
    chat limit does not apply (stepping in is not routing). The customer is told who joined;
    the agent who had it is told (an event to their consoles, where the chat leaves) and is
    offered waiting chats with the room it frees; the customer's history records it."""
    now = now or timezone.now()
    session = lock_session(session_id)
    member = check_chat_access(user=by, session=session, action=ChatAction.TAKE_OVER)
    if session.status != ChatStatus.ACTIVE:
        raise ChatClosed("Only an active chat can be taken over: accept a waiting one.")
    if session.agent_id == by.pk:
        raise ChatClosed("This chat is already yours.")
    previous = session.agent
    who = author_name(by)
    title = _TITLES.get(member.role, "a supervisor")
    if previous is not None:  # before `_assign` tells their consoles the chat is gone
        publish(
            agent_group(previous.pk),
            {"type": "taken_over", "session": session.pk, "by": who},
        )
    _assign(session, by, now, f"{who}, {title}, has joined the chat and will help you from here.")
    record_interaction(
        customer=session.customer,
        channel=Channel.CHAT,
        kind="chat taken over",
        summary=f"{who} took the chat over from {author_name(previous) or 'nobody'}.",
        case=session,
        agent=by,
        occurred_at=now,
    )
    if previous is not None:
        offer_waiting_chats(agent=previous)
    return session
