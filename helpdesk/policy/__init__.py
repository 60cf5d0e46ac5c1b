"""The service policy engine: one document, one calendar, the same deadlines on every channel.

Pure Python (no Django): aware datetimes and frozen dataclasses in, aware UTC datetimes out.
"""

from .calendar import WEEKDAYS, Calendar
from .document import load_policy_file, parse_policy
from .durations import Duration, parse_duration
from .errors import PolicyError, UnknownCalendar, UnknownLevel, UnknownTarget
from .model import (
    PRIORITIES,
    REVIEW_TARGET,
    SEVERITIES,
    TARGETS,
    ChannelPolicy,
    ComplaintsPolicy,
    Document,
    EscalationLevel,
    Override,
    ServicePolicy,
    SurveysPolicy,
)

__all__ = [
    "PRIORITIES",
    "REVIEW_TARGET",
    "SEVERITIES",
    "TARGETS",
    "WEEKDAYS",
    "Calendar",
    "ChannelPolicy",
    "ComplaintsPolicy",
    "Document",
    "Duration",
    "EscalationLevel",
    "Override",
    "PolicyError",
    "ServicePolicy",
    "SurveysPolicy",
    "UnknownCalendar",
    "UnknownLevel",
    "UnknownTarget",
    "load_policy_file",
    "parse_duration",
    "parse_policy",
]
