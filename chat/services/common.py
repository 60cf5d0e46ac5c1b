"""What the chat services share: their errors, locking a session, its policy and its greeting."""

from django.conf import settings

from chat.models import ChatSession
from helpdesk.policy import ChannelPolicy, ServicePolicy
from helpdesk.services.policy import service_policy_for

ACKNOWLEDGE = "chat.acknowledge"
FIRST_RESPONSE = "chat.first_response"
RESOLUTION = "chat.resolution"


class ChatError(Exception):
    """A request the chat rules refuse; `code` is what the protocol sends (chat-protocol.md)."""

    code = "refused"

    def __init__(self, detail: str, **extra):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class ChatClosed(ChatError):
    code = "closed"


class ChatUnavailable(ChatError):
    """Live chat is not open now (outside service hours): `opens_at` says when it is."""

    code = "unavailable"


class AlreadyTaken(ChatError):
    code = "taken"


class AtLimit(ChatError):
    code = "at_limit"


class RateLimited(ChatError):
    code = "rate_limited"


class NotAllowed(ChatError):
    code = "forbidden"


def lock_session(session_id: int) -> ChatSession:
    """The session as it is now, locked until the transaction ends (always lock the session
    before an agent's profile, so two services never wait on each other)."""
    return (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=session_id)
    )


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


def max_message_chars() -> int:
    return settings.CHAT_MAX_MESSAGE_CHARS
