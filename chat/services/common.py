"""What the chat services share: their errors, locking a session, its policy and its greeting."""

from django.conf import settings

from chat.models import ChatSession
from chat.presentation import (  # noqa: F401 (the services' names for them)
    chat_policy,
    greeting_for,
    name_in_chat,
    policy_of,
)

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


def max_message_chars() -> int:
    return settings.CHAT_MAX_MESSAGE_CHARS
