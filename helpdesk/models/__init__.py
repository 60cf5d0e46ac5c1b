"""The core's models, one module per area; import them from here."""

from .api import ApiKey, IdempotencyRecord, Scope
from .knowledge import Article, CannedResponse
from .people import AgentProfile, Customer, Interaction, Presence, Role, Team
from .policy import PolicyReview, PolicyVersion
from .privacy import RetentionKind, RetentionRecord
from .sla import Clock, ClockEscalation, Notification
from .webhooks import DeliveryStatus, WebhookDelivery, WebhookSubscription

__all__ = [
    "AgentProfile",
    "ApiKey",
    "Article",
    "CannedResponse",
    "Clock",
    "ClockEscalation",
    "Customer",
    "DeliveryStatus",
    "IdempotencyRecord",
    "Interaction",
    "Notification",
    "PolicyReview",
    "PolicyVersion",
    "Presence",
    "RetentionKind",
    "RetentionRecord",
    "Role",
    "Scope",
    "Team",
    "WebhookDelivery",
    "WebhookSubscription",
]
