"""SLA clocks for any case: start, pause, resume, stop; warnings, breaches and escalation.

Channel apps call these services and register what a breach does in `helpdesk.sla_registry`.
"""

from .breach import ESCALATION_KIND, WARNING_KIND, Advanced, advance_clocks, check_clock
from .clocks import (
    assign_clocks_for,
    cancel_clocks_for,
    pause_clock,
    resume_clock,
    start_clock,
    start_clocks,
    stop_clock,
    stop_clocks_for,
)
from .retarget import Retargeted, retarget_clocks_for, retarget_note
from .rounds import latest_clocks, restart_clocks_for
from .sweep import SweepReport, sweep_clocks

__all__ = [
    "ESCALATION_KIND",
    "WARNING_KIND",
    "Advanced",
    "SweepReport",
    "advance_clocks",
    "assign_clocks_for",
    "cancel_clocks_for",
    "check_clock",
    "pause_clock",
    "latest_clocks",
    "restart_clocks_for",
    "retarget_clocks_for",
    "retarget_note",
    "Retargeted",
    "resume_clock",
    "start_clock",
    "start_clocks",
    "stop_clock",
    "stop_clocks_for",
    "sweep_clocks",
]
