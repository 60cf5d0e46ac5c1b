"""Every rule of live chat. Consumers, views and tasks call these and nothing else."""

from .closing import (
    ask_to_confirm,
    close_chat,
    confirm_resolved,
    convert_to_ticket,
    escalate_chat,
    request_transcript,
    send_transcript_email,
    transcript,
)
from .common import (
    AlreadyTaken,
    AtLimit,
    ChatClosed,
    ChatError,
    ChatUnavailable,
    NotAllowed,
    RateLimited,
    greeting_for,
)
from .messages import (
    Posted,
    agent_says,
    customer_says,
    messages_after,
    post_agent_message,
    post_customer_message,
)
from .routing import accept_chat, pick_agent, route_chat, transfer_chat
from .secure import (
    may_see_secure,
    purge_secure_details,
    reveal_secure_detail,
    submit_secure_details,
)
from .sessions import chat_opening, leave_message, start_chat
from .takeover import take_over_chat
from .timers import offer_message, send_wait_notice, sweep_chat_timers, waiting_status
from .tokens import access_chat_for_staff, access_session_by_token, token_for

__all__ = [
    "AlreadyTaken",
    "AtLimit",
    "ChatClosed",
    "ChatError",
    "ChatUnavailable",
    "NotAllowed",
    "Posted",
    "RateLimited",
    "accept_chat",
    "access_chat_for_staff",
    "access_session_by_token",
    "agent_says",
    "ask_to_confirm",
    "chat_opening",
    "close_chat",
    "confirm_resolved",
    "convert_to_ticket",
    "customer_says",
    "escalate_chat",
    "greeting_for",
    "leave_message",
    "may_see_secure",
    "messages_after",
    "offer_message",
    "pick_agent",
    "post_agent_message",
    "post_customer_message",
    "purge_secure_details",
    "request_transcript",
    "reveal_secure_detail",
    "route_chat",
    "send_transcript_email",
    "send_wait_notice",
    "start_chat",
    "submit_secure_details",
    "sweep_chat_timers",
    "take_over_chat",
    "token_for",
    "transcript",
    "transfer_chat",
    "waiting_status",
]
