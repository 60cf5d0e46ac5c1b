"""Who an escalation reaches: the one rule every channel applies when a member of staff escalates
a case by hand (a ticket, a chat). The SLA sweep's automatic escalations name a role in the
policy and use the same levels (`helpdesk.selectors.sla.Recipients.for_role`)."""

from helpdesk.models import AgentProfile, Presence, Role
from helpdesk.selectors.sla import escalation_recipients

_LEVELS = (Role.SUPERVISOR, Role.MANAGER)


def escalation_reaches(*, escalated_by) -> list[int]:
    """The ids of the people an escalation by `escalated_by` reaches, best first.

    The rule: their own supervisor, else every supervisor of their team, else every
    supervisor, else every manager; only active users, and never the person escalating (a
    supervisor alone in their team escalates to the managers). Presence never skips a level:
    the escalation is a notification (and its email) that waits for them. Within a level,
    those online come first (then by id), so a live channel that needs one person (a chat's
    `escalated_to`) takes the first. Empty when there is nobody at all. Three queries at most.
    """
    found = escalation_recipients(assignee_ids=[escalated_by.pk], roles=_LEVELS)
    for role in _LEVELS:
        ids = [pk for pk in found.for_role(role, escalated_by.pk) if pk != escalated_by.pk]
        if ids:
            return _online_first(ids)
    return []


def _online_first(ids: list[int]) -> list[int]:
    if len(ids) < 2:
        return ids
    online = set(
        AgentProfile.objects.filter(user_id__in=ids, presence=Presence.ONLINE).values_list(
            "user_id", flat=True
        )
    )
    return sorted(ids, key=lambda pk: (pk not in online, pk))
