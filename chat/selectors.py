"""Read-side queries of chat for the consoles and the protocol."""

from chat.access import takeable
from chat.models import ChatMessage, ChatSession, ChatStatus
from helpdesk.access import StaffMember
from helpdesk.models import Interaction, Role

from .presentation import author_name, greeting_for, message_event, name_in_chat, queue_entry


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


def _compare(given: str, stored: str) -> str:
    if not given:
        return "not given"
    if not stored:
        return "not on record"
    return "matches" if given.strip().casefold() == stored.strip().casefold() else "differs"


def details_check(session: ChatSession) -> dict:
    """How the details the visitor gave compare with the customer record their email matched,
    for the agent (the visitor never sees the record: chat.services.sessions' rule). `note`
    reads e.g. "Email matches Jane Doe's record; name differs; phone not given"."""
    customer = session.customer
    if not session.matched_record:
        return {"new_customer": True, "record": None, "note": "New customer."}
    fields = {
        "email": _compare(session.email_given, customer.email),
        "name": _compare(session.name_given, customer.name),
        "phone": _compare(session.phone_given, customer.phone),
    }
    record = customer.name or customer.email or f"customer {customer.pk}"
    note = "; ".join(
        [f"Email {fields['email']} {record}'s record"]
        + [f"{field} {state}" for field, state in fields.items() if field != "email"]
    )
    return {
        "new_customer": False,
        "record": {"id": customer.pk, "name": customer.name, "email": customer.email},
        **fields,
        "note": note,
    }


def session_card(session: ChatSession) -> dict:
    """What the agent's console shows beside a chat: the details as the visitor gave them,
    how they compare with the record found (`details_check`), and that customer's history."""
    return {
        "session": session.pk,
        "status": session.status,
        "customer": name_in_chat(session) or session.email_given or "Customer",
        "email": session.email_given,
        "phone": session.phone_given,
        "check": details_check(session),
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


def watch_card(session: ChatSession) -> dict:
    """The card of a chat a supervisor watches (`chat.access` WATCH): who handles it and why it
    was escalated, besides what its agent sees."""
    return {
        **session_card(session),
        "agent": author_name(session.agent),
        "escalated": session.escalated_to_id is not None,
        "escalation_notes": session.escalation_notes,
    }


def escalations_for(*, user, limit: int = 50) -> list[dict]:
    """The active chats escalated to `user` that an agent still handles (the console's
    "Escalated to you" list), oldest first: one a supervisor or manager has taken over (the
    user or another the escalation reached) is answered."""
    rows = (
        ChatSession.objects.filter(escalated_to=user, status=ChatStatus.ACTIVE)
        .exclude(agent=user)
        .exclude(agent__agent_profile__role__in=(Role.SUPERVISOR, Role.MANAGER))
        .select_related("agent")
        .order_by("accepted_at", "pk")[:limit]
    )
    return [
        {"session": s.pk, "by": author_name(s.agent), "notes": s.escalation_notes} for s in rows
    ]


def agent_chats(*, user) -> list[dict]:
    rows = ChatSession.objects.filter(agent=user, status=ChatStatus.ACTIVE).select_related(
        "customer", "policy_version"
    )
    return [session_card(s) for s in rows.order_by("accepted_at", "pk")]


def message_events(messages: list[ChatMessage]) -> list[dict]:
    return [message_event(m) for m in messages]
