"""Every rule that changes a ticket: opening, status, assignment, priority, messages in and out.

Views, commands, the admin and Celery tasks call these and nothing else."""

from .acknowledgement import acknowledge_new_ticket, queue_acknowledgement
from .escalation import escalate_ticket, record_breach
from .inbound import IngestResult, ingest_email, retry_inbound_email
from .merge import merge_tickets
from .outbound import (
    add_internal_note,
    deliver_message,
    record_customer_message,
    record_send_failure,
    send_reply,
)
from .phone import (
    complete_callback,
    log_call,
    record_voicemail,
    request_callback,
    return_voicemail,
)
from .tickets import (
    assign_ticket,
    change_status,
    move_ticket_to_team,
    open_ticket,
    resolve_ticket,
    set_priority,
)

__all__ = [
    "IngestResult",
    "acknowledge_new_ticket",
    "add_internal_note",
    "assign_ticket",
    "change_status",
    "complete_callback",
    "deliver_message",
    "escalate_ticket",
    "record_breach",
    "ingest_email",
    "log_call",
    "merge_tickets",
    "move_ticket_to_team",
    "open_ticket",
    "queue_acknowledgement",
    "record_customer_message",
    "record_send_failure",
    "record_voicemail",
    "request_callback",
    "resolve_ticket",
    "retry_inbound_email",
    "return_voicemail",
    "send_reply",
    "set_priority",
]
