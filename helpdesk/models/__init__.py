"""The core's models, one module per area; import them from here."""

from .knowledge import Article, CannedResponse
from .people import AgentProfile, Customer, Interaction, Presence, Role, Team
from .policy import PolicyVersion
from .sla import Clock, ClockEscalation, Notification

__all__ = [
    "AgentProfile",
    "Article",
    "CannedResponse",
    "Clock",
    "ClockEscalation",
    "Customer",
    "Interaction",
    "Notification",
    "PolicyVersion",
    "Presence",
    "Role",
    "Team",
]
