"""Models of the tickets channel: the case every email, phone call or web form ends in."""

from .inbound import InboundEmail, InboundStatus
from .mailbox import Mailbox, MailboxSecurity
from .message import Attachment, AutoMessage, Direction, Message
from .phone import Call, CallbackRequest, CallDirection, CallOutcome, Voicemail
from .ticket import (
    DONE_STATUSES,
    OPEN_STATUSES,
    Priority,
    Status,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketNumber,
)

__all__ = [
    "DONE_STATUSES",
    "OPEN_STATUSES",
    "Attachment",
    "AutoMessage",
    "Call",
    "CallDirection",
    "CallOutcome",
    "CallbackRequest",
    "Direction",
    "InboundEmail",
    "InboundStatus",
    "Mailbox",
    "MailboxSecurity",
    "Message",
    "Priority",
    "Status",
    "Ticket",
    "TicketChannel",
    "TicketEvent",
    "TicketEventKind",
    "TicketNumber",
    "Voicemail",
]
