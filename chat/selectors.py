"""Read-side queries of chat for the consoles and the protocol."""

from chat.access import takeable
from chat.models import ChatMessage, ChatSession, ChatStatus
from helpdesk.access import StaffMember
from helpdesk.models import Interaction

from .services.common import greeting_for
from .services.events import message_event
from .services.routing import queue_entry


def waiting_queue(*, member: StaffMember | None, limit: int = 100) -> list[dict]:
    """The waiting chats `member` may take (`chat.access`), longest waiting first."""
    rows = (
        ChatSession.objects.filter(takeable(member))
        .select_related("customer")
        .order_by("started_at", "pk")[:limit]
    )
    return [queue_entry(s) for s in rows]


def customer_history(*, session: ChatSession, limit: int = 10) -> list[dict]:
    """The customer's past interactions on every channel, this chat's own left out."""
    rows = (
        Interaction.objects.filter(customer_id=session.customer_id)
        .exclude(case_type__model="chatsession", case_id=session.pk)
        .order_by("-occurred_at", "-pk")[:limit]
    )
    return [
        {
            "channel": i.channel,
            "kind": i.kind,
            "summary": i.summary[:300],
            "at": i.occurred_at.isoformat(),
        }
        for i in rows
    ]


def session_card(session: ChatSession) -> dict:
    """What the agent's console shows beside a chat."""
    customer = session.customer
    return {
        "session": session.pk,
        "status": session.status,
        "customer": customer.name or customer.email or "Customer",
        "email": customer.email,
        "question": session.question,
        "greeting": greeting_for(session),
        "started_at": session.started_at.isoformat(),
        "last_seq": session.last_seq,
        "history": customer_history(session=session),
        "secure": [
            {
                "id": d.pk,
                "label": d.label,
                "at": d.created_at.isoformat(),
                "purged": d.purged_at is not None,
            }
            for d in session.secure_details.all()
        ],
    }


def agent_chats(*, user) -> list[dict]:
    rows = ChatSession.objects.filter(agent=user, status=ChatStatus.ACTIVE).select_related(
        "customer", "policy_version"
    )
    return [session_card(s) for s in rows.order_by("accepted_at", "pk")]


def message_events(messages: list[ChatMessage]) -> list[dict]:
    return [message_event(m) for m in messages]
