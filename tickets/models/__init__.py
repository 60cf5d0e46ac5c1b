"""Models of the tickets channel: the case every email, phone call or web form ends in."""

from .inbound import InboundEmail, InboundStatus
from .message import Attachment, AutoMessage, Direction, Message
from .ticket import (
    Priority,
    Status,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketNumber,
)

__all__ = [
    "Attachment",
    "AutoMessage",
    "Direction",
    "InboundEmail",
    "InboundStatus",
    "Message",
    "Priority",
    "Status",
    "Ticket",
    "TicketChannel",
    "TicketEvent",
    "TicketEventKind",
    "TicketNumber",
]
