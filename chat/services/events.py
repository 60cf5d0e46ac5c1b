"""What crosses processes: events sent to Channels groups through the Redis channel layer, after
the transaction that made them commits (`helpdesk.realtime`). Consumers forward them to their
sockets as they are. The groups are chat's own ("chat.…", `helpdesk.realtime.AppGroups`): no
other app's socket (the desk's, open beside the console) ever hears them."""

from chat.presentation import author_name, message_event  # noqa: F401 (the events' shape)
from helpdesk.realtime import AppGroups, group_send_on_commit

GROUPS = AppGroups("chat")
DESK_GROUP = GROUPS.name("desk")  # every agent console: the queue


def chat_group(session_id: int) -> str:
    """The customer's sockets and those of the agent handling the chat."""
    return GROUPS.name(session_id)


def agent_group(user_id: int) -> str:
    """Every console of one agent: offers, chats assigned and taken away, presence."""
    return GROUPS.name("agent", user_id)


def publish(group: str, event: dict) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside one)."""
    group_send_on_commit((group,), {"type": "chat.event", "event": event})
