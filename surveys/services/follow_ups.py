"""Follow-ups of poor answers: a case for the agent's supervisor, with a clock of its own.

When the policy in force sets `[surveys] follow_up` (the project's extension of the format, the
target `surveys.follow_up`), opening a follow-up starts that SLA clock on it, answerable by the
supervisor: the clock owns the due time (`FollowUp.due_at` is its copy, for ordering the
desk's list), a breach escalates through the policy's `[[escalation]]` levels like any clock's,
and closing the follow-up stops the clock (met, or breached if closed late). A policy without
the key starts no clock: the follow-up is then due SURVEYS_FOLLOW_UP_WITHIN (a policy duration,
default "2wd") after it opens, by the policy's own calendar, and nothing escalates.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import AgentProfile, Role
from helpdesk.policy import parse_duration
from helpdesk.services.notifications import notify
from helpdesk.services.policy import policy_in_force
from helpdesk.services.sla import start_clock, stop_clocks_for
from surveys.access import SurveyAction, check_survey_access
from surveys.models import FOLLOW_UP_TARGET, FollowUp, FollowUpStatus, SurveyResponse


def supervisor_for(agent):
    """Who follows up a poor answer about `agent`'s conversation: their own supervisor, else
    the first supervisor of their team, else None (every supervisor is told)."""
    if agent is None:
        return None
    profile = AgentProfile.objects.select_related("supervisor").filter(user=agent).first()
    if profile is None:
        return None
    if profile.supervisor is not None and profile.supervisor.is_active:
        return profile.supervisor
    if profile.team_id is None:
        return None
    team_supervisor = (
        AgentProfile.objects.select_related("user")
        .filter(team_id=profile.team_id, role=Role.SUPERVISOR, user__is_active=True)
        .order_by("pk")
        .first()
    )
    return team_supervisor.user if team_supervisor is not None else None


def _all_supervisor_ids() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(agent_profile__role=Role.SUPERVISOR, is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def open_follow_up(*, response: SurveyResponse, now: datetime | None = None) -> FollowUp:
    """Open the follow-up of a poor answer (once per response), start its `surveys.follow_up`
    clock when the policy in force sets one (else it is due SURVEYS_FOLLOW_UP_WITHIN later),
    and notify its supervisor, or every supervisor when the agent has none."""
    existing = FollowUp.objects.filter(response=response).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    invitation = response.invitation
    supervisor = supervisor_for(invitation.agent)
    _version, policy = policy_in_force(now=now)
    if FOLLOW_UP_TARGET in policy.targets():
        # The clock needs the saved case, and the due time is the clock's: it is copied below.
        follow_up = FollowUp.objects.create(
            response=response, supervisor=supervisor, opened_at=now, due_at=now
        )
        clock = start_clock(
            case=follow_up, target=FOLLOW_UP_TARGET, started_at=now, assignee=supervisor
        )
        follow_up.due_at = clock.due_at
        follow_up.save(update_fields=["due_at"])
    else:
        within = parse_duration(settings.SURVEYS_FOLLOW_UP_WITHIN)
        follow_up = FollowUp.objects.create(
            response=response,
            supervisor=supervisor,
            opened_at=now,
            due_at=policy.calendar.due(within, now),
        )
    answered = "yes" if response.answered else "no"
    message = (
        f"Survey follow-up: {invitation} scored {response.score}, question answered: {answered}."
    )
    if response.comment:
        message += f"\n\n{response.comment}"
    recipients = [supervisor.pk] if supervisor is not None else _all_supervisor_ids()
    notify(
        recipient_ids=recipients,
        kind="survey.follow_up",
        message=message,
        url=reverse("surveys:follow-up", args=[follow_up.pk]),
        now=now,
    )
    return follow_up


@transaction.atomic
def close_follow_up(
    *, follow_up: FollowUp, by, notes: str, now: datetime | None = None
) -> FollowUp:
    """A supervisor or manager closes the follow-up, saying what was done (required); its
    clock, if it has one, stops then (met, or breached when closed after it was due). Who may:
    the survey access rule (`surveys.access`)."""
    check_survey_access(user=by, action=SurveyAction.CLOSE_FOLLOW_UP)
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "Say what was done before closing the follow-up."})
    follow_up = FollowUp.objects.select_for_update(of=("self",)).get(pk=follow_up.pk)
    if follow_up.status == FollowUpStatus.CLOSED:
        return follow_up
    follow_up.status = FollowUpStatus.CLOSED
    follow_up.notes = notes
    follow_up.closed_at = now or timezone.now()
    follow_up.closed_by = by
    follow_up.save(update_fields=["status", "notes", "closed_at", "closed_by"])
    stop_clocks_for(case=follow_up, targets=[FOLLOW_UP_TARGET], at=follow_up.closed_at)
    return follow_up
