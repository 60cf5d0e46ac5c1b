"""How a chat is shown, to the consoles, the widget and the events: the visitor's name as they
gave it, the greeting, a message's and a waiting chat's event. Reads only, below the services
and the selectors (both use them; the import contracts keep it so)."""

from chat.models import ChatMessage, ChatSession
from helpdesk.policy import ChannelPolicy, ServicePolicy
from helpdesk.services.policy import service_policy_for


def policy_of(session: ChatSession) -> ServicePolicy:
    return service_policy_for(session.policy_version)


def chat_policy(policy: ServicePolicy) -> ChannelPolicy:
    return policy.channels.get("chat") or ChannelPolicy()


def name_in_chat(session: ChatSession) -> str:
    """Who the visitor said they are: the name they gave for this chat, never the name on the
    record their email matched (that would tell anyone who types an email whose it is)."""
    return (session.name_given or "").strip()


def greeting_for(session: ChatSession) -> str:
    """The policy's greeting with the name the visitor gave and the company filled in."""
    policy = policy_of(session)
    template = chat_policy(policy).greeting or (
        "Hi {customer_name}, thanks for contacting {company}. How can I help you today?"
    )
    name = name_in_chat(session).split(" ")[0] or "there"
    return template.format(customer_name=name, company=policy.document.company)


def author_name(user) -> str:
    if user is None:
        return ""
    return user.first_name or user.get_username()


def message_event(message: ChatMessage) -> dict:
    return {
        "type": "message",
        "session": message.session_id,
        "seq": message.seq,
        "sender": message.sender,
        "author": author_name(message.author) if message.author_id else "",
        "text": message.text,
        "client_id": message.client_id,
        "at": message.created_at.isoformat(),
    }


def queue_entry(session: ChatSession) -> dict:
    return {
        "session": session.pk,
        "customer": session.name_given or session.email_given or "Customer",  # as given
        "question": session.question[:200],
        "started_at": session.started_at.isoformat(),
        "offered_to": session.offered_to_id,
        "team": session.team_id,  # consoles show it to those who may take it (chat/access.py)
    }
