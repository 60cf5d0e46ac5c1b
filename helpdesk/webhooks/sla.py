"""sla.warning and sla.breached for every target of every channel, through the SLA registry
(registered by `HelpdeskConfig.ready()`).

They are batch handlers: a sweep breaching a thousand clocks sends its events with a handful of
queries, and none at all (beyond the cached list of wanted events) when nobody subscribes.
"""

from django.contrib.contenttypes.models import ContentType

from helpdesk import sla_registry
from helpdesk.models import Clock

from .events import emit_events, is_wanted

WARNING_EVENT = "sla.warning"
BREACHED_EVENT = "sla.breached"


def clock_payload(clock: Clock) -> dict:
    """The event's data for one clock; its case type comes from ContentType's cache (no query)
    and its start must be loaded (see `_load_started_at`)."""
    return {
        "clock_id": clock.pk,
        "target": clock.target,
        "round": clock.round,
        "channel": clock.target.split(".", 1)[0],
        "case_type": ContentType.objects.get_for_id(clock.case_type_id).model,
        "case_id": clock.case_id,
        "started_at": clock.started_at,
        "due_at": clock.due_at,
        "warned_at": clock.warned_at,
        "breached_at": clock.breached_at,
        "assignee_id": clock.assignee_id,
        "policy_version_id": clock.policy_version_id,
    }


def _load_started_at(clocks: list[Clock]) -> None:
    """The sweep leaves `started_at` unloaded (it never needs it): fetch it for all the clocks
    that lack it with one query, rather than one per clock."""
    missing = {c.pk: c for c in clocks if "started_at" in c.get_deferred_fields()}
    if missing:
        found = Clock.objects.filter(pk__in=missing).values_list("pk", "started_at")
        for pk, started_at in found:
            missing[pk].started_at = started_at


def emit_sla_warnings(clocks: list[Clock]) -> None:
    if clocks and is_wanted(WARNING_EVENT):
        _load_started_at(clocks)
        emit_events(name=WARNING_EVENT, events=[(clock_payload(c), None) for c in clocks])


def emit_sla_breaches(clocks: list[Clock]) -> None:
    if clocks and is_wanted(BREACHED_EVENT):
        _load_started_at(clocks)
        emit_events(name=BREACHED_EVENT, events=[(clock_payload(c), c.breached_at) for c in clocks])


def emit_sla_warning(clock: Clock) -> None:
    emit_sla_warnings([clock])


def emit_sla_breached(clock: Clock) -> None:
    emit_sla_breaches([clock])


def register() -> None:
    sla_registry.register_batch_handler(sla_registry.WARNING, "*", emit_sla_warnings)
    sla_registry.register_batch_handler(sla_registry.BREACH, "*", emit_sla_breaches)
