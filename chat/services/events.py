"""What crosses processes: events sent to Channels groups through the Redis channel layer, after
the transaction that made them commits (`helpdesk.realtime`). Consumers forward them to their
sockets as they are. The groups are chat's own ("chat.…", `helpdesk.realtime.AppGroups`): no
other app's socket (the desk's, open beside the console) ever hears them."""

from chat.models import ChatMessage
from helpdesk.realtime import AppGroups, group_send_on_commit

GROUPS = AppGroups("chat")
DESK_GROUP = GROUPS.name("desk")  # every agent console: the queue


def chat_group(session_id: int) -> str:
    """The customer's sockets and those of the agent handling the chat."""
    return GROUPS.name(session_id)


def agent_group(user_id: int) -> str:
    """Every console of one agent: offers, chats assigned and taken away, presence."""
    return GROUPS.name("agent", user_id)


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


def publish(group: str, event: dict) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside one)."""
    group_send_on_commit((group,), {"type": "chat.event", "event": event})
