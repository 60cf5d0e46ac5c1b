"""Every rule of the complaint workflow; the admin, the desk, the API and Celery call these."""

from .closure import close_complaint, reopen_complaint, withdraw_complaint
from .common import check_can_log, check_can_manage
from .letters import deliver_letter, draft_text, procedure_pdf, record_letter_failure
from .reminders import mark_resolution_overdue, on_resolution_breach, remind_complaint_owners
from .review import current_review, send_complaint_review
from .workflow import (
    acknowledge_complaint,
    change_severity,
    log_complaint,
    resolve_complaint,
    send_holding_letter,
    start_investigation,
)

__all__ = [
    "acknowledge_complaint",
    "change_severity",
    "check_can_log",
    "check_can_manage",
    "close_complaint",
    "current_review",
    "deliver_letter",
    "draft_text",
    "log_complaint",
    "mark_resolution_overdue",
    "on_resolution_breach",
    "procedure_pdf",
    "record_letter_failure",
    "remind_complaint_owners",
    "reopen_complaint",
    "resolve_complaint",
    "send_complaint_review",
    "send_holding_letter",
    "start_investigation",
    "withdraw_complaint",
]
