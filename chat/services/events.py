"""What crosses processes: events sent to Channels groups through the Redis channel layer, after
the transaction that made them commits. Consumers forward them to their sockets as they are."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat.models import ChatMessage

logger = logging.getLogger(__name__)

DESK_GROUP = "desk.chat"  # every agent console: the queue


def chat_group(session_id: int) -> str:
    """The customer's sockets and those of the agent handling the chat."""
    return f"chat.{session_id}"


def agent_group(user_id: int) -> str:
    """Every console of one agent: offers, chats assigned and taken away."""
    return f"desk.agent.{user_id}"


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


def send_now(group: str, event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(group, {"type": "chat.event", "event": event})


def publish(group: str, event: dict) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside one)."""

    def send() -> None:
        try:
            send_now(group, event)
        except Exception:
            logger.exception("could not publish %s to %s", event.get("type"), group)

    transaction.on_commit(send)
