"""Teams and the calendar each works to (POLICY.md, "More than one calendar")."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from helpdesk.models import Team
from helpdesk.policy import ServicePolicy
from helpdesk.selectors.policy import policy_in_force

_MAX_CALENDAR = Team._meta.get_field("calendar").max_length


def known_calendars(policy: ServicePolicy) -> str:
    """The calendars a team may name, as a sentence's end."""
    names = ", ".join(policy.calendar_names()) or "none"
    return f"the policy's calendars are: {names} (blank: the default [calendar])"


def check_team_calendar(calendar: str, *, now: datetime | None = None) -> str:
    """`calendar` stripped, when the policy in force names it (blank is the default
    [calendar]); else a ValidationError on `calendar` naming the calendars it has."""
    calendar = (calendar or "").strip()
    if not calendar:
        return ""
    policy = policy_in_force(now=now).policy
    if len(calendar) > _MAX_CALENDAR or calendar not in policy.calendar_names():
        raise ValidationError(
            {
                "calendar": f'"{calendar[:_MAX_CALENDAR]}" is not a calendar of the policy in '
                f"force; {known_calendars(policy)}."
            }  # fmt: skip
        )
    return calendar


@transaction.atomic
def set_team_calendar(*, team: Team, calendar: str, now: datetime | None = None) -> Team:
    """Make `team` work to `calendar` (a `[calendars.NAME]` of the policy in force; blank: the
    default `[calendar]`). Rule: the name must exist in the version in force
    (`check_team_calendar`); clocks already running keep the calendar they started on, the
    team's cases opened from now on use the new one."""
    team.calendar = check_team_calendar(calendar, now=now)
    team.save(update_fields=["calendar"])
    return team


def teams_using_missing_calendars(policy: ServicePolicy) -> dict[str, list[str]]:
    """{calendar: [team names]} of the teams that work to a calendar `policy` does not have."""
    missing: dict[str, list[str]] = {}
    names = set(policy.calendar_names())
    for name, calendar in Team.objects.exclude(calendar="").values_list("name", "calendar"):
        if calendar not in names:
            missing.setdefault(calendar, []).append(name)
    return missing
