"""sla.warning and sla.breached for every target of every channel, through the SLA registry
(registered by `HelpdeskConfig.ready()`)."""

from helpdesk import sla_registry
from helpdesk.models import Clock

from .events import emit_event


def clock_payload(clock: Clock) -> dict:
    return {
        "clock_id": clock.pk,
        "target": clock.target,
        "round": clock.round,
        "channel": clock.target.split(".", 1)[0],
        "case_type": clock.case_type.model,
        "case_id": clock.case_id,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "warned_at": clock.warned_at,
        "breached_at": clock.breached_at,
        "assignee_id": clock.assignee_id,
        "policy_version_id": clock.policy_version_id,
    }


def emit_sla_warning(clock: Clock) -> None:
    emit_event(name="sla.warning", payload=clock_payload(clock))


def emit_sla_breached(clock: Clock) -> None:
    emit_event(name="sla.breached", payload=clock_payload(clock), occurred_at=clock.breached_at)


def register() -> None:
    sla_registry.register_warning_handler("*", emit_sla_warning)
    sla_registry.register_breach_handler("*", emit_sla_breached)
