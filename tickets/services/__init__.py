"""Every rule that changes a ticket: opening, status, assignment, priority, messages in and out.

Views, commands, the admin and Celery tasks call these and nothing else."""

from .inbound import IngestResult, ingest_email, retry_inbound_email
from .outbound import (
    add_internal_note,
    deliver_message,
    queue_acknowledgement,
    record_send_failure,
    send_reply,
)
from .tickets import assign_ticket, change_status, open_ticket, set_priority

__all__ = [
    "IngestResult",
    "add_internal_note",
    "assign_ticket",
    "change_status",
    "deliver_message",
    "ingest_email",
    "open_ticket",
    "queue_acknowledgement",
    "record_send_failure",
    "retry_inbound_email",
    "send_reply",
    "set_priority",
]
