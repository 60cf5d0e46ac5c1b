"""The service policy engine: one document, one calendar, the same deadlines on every channel.

Pure Python (no Django): aware datetimes and frozen dataclasses in, aware UTC datetimes out.
"""

from .calendar import WEEKDAYS, Calendar
from .document import load_policy_file, parse_policy
from .durations import Duration, parse_duration
from .errors import PolicyError, UnknownTarget
from .model import (
    TARGETS,
    ChannelPolicy,
    ComplaintsPolicy,
    Document,
    EscalationLevel,
    ServicePolicy,
    SurveysPolicy,
)

__all__ = [
    "TARGETS",
    "WEEKDAYS",
    "Calendar",
    "ChannelPolicy",
    "ComplaintsPolicy",
    "Document",
    "Duration",
    "EscalationLevel",
    "PolicyError",
    "ServicePolicy",
    "SurveysPolicy",
    "UnknownTarget",
    "load_policy_file",
    "parse_duration",
    "parse_policy",
]
