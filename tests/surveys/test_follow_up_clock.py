"""A follow-up is a case with its own clock: `surveys.follow_up` (the policy's `[surveys]
follow_up`) starts when it opens, stops when it is closed, and a breach escalates through the
policy's `[[escalation]]` levels; without the key the follow-up falls back to
SURVEYS_FOLLOW_UP_WITHIN and has no clock."""

from datetime import UTC, datetime, timedelta

import pytest

from helpdesk.models import Clock, ClockEscalation, Notification
from helpdesk.models.sla import ClockOutcome, ClockState
from helpdesk.services.policy import publish_policy_version
from helpdesk.services.sla import ESCALATION_KIND, stop_clocks_for, sweep_clocks
from surveys.models import FOLLOW_UP_TARGET, FollowUp
from surveys.selectors import follow_up_clock
from surveys.services import close_follow_up

from .conftest import MONDAY_10AM, policy_text
from .factories import answered_survey

pytestmark = pytest.mark.django_db

THE_KEY = 'follow_up = "2wd"'


def publish(**replace: str):
    """A newer version in force (effective 2021, after the fixture's 2020) with `replace`."""
    text = policy_text(
        **{"effective = 2020-01-01": "effective = 2021-01-01", 'version = "surveys-24x7"':
           'version = "surveys-v2"', **replace}
    )  # fmt: skip
    return publish_policy_version(document=text, approved_by="Tests", change_note="v2")


@pytest.fixture
def poor_answer(now, make_ticket, agent):
    """Open a follow-up on Monday 2 March 2026, 10:00 (`now`); the ticket's own clocks are
    stopped, so that only the follow-up's clock is left for the sweep."""

    def make() -> FollowUp:
        invitation = answered_survey(
            make_ticket, agent=agent, answered=False, score=1, comment="No help"
        )
        stop_clocks_for(case=invitation.conversation, at=now)
        return FollowUp.objects.get()

    return make


def test_opening_starts_the_clock_with_the_policys_due_time(poor_answer, policy, supervisor):
    follow_up = poor_answer()
    clock = Clock.objects.get(target=FOLLOW_UP_TARGET)
    assert clock == follow_up_clock(follow_up=follow_up)
    assert clock.case_id == follow_up.pk and clock.case_type.model == "followup"
    assert clock.assignee == supervisor
    assert clock.policy_version == policy
    assert clock.started_at == MONDAY_10AM
    assert (clock.state, clock.outcome) == (ClockState.RUNNING, ClockOutcome.PENDING)
    # "2wd" from Monday: Tuesday is the 1st working day, Wednesday the 2nd.
    assert clock.due_at == datetime(2026, 3, 5, tzinfo=UTC)
    assert follow_up.due_at == clock.due_at  # the clock's due time, copied for the list


def test_the_due_time_follows_the_policy_in_force(poor_answer, policy):
    v2 = publish(**{THE_KEY: 'follow_up = "4h"'})
    follow_up = poor_answer()
    clock = follow_up_clock(follow_up=follow_up)
    assert clock.policy_version == v2
    assert clock.due_at == follow_up.due_at == MONDAY_10AM + timedelta(hours=4)


def test_closing_stops_the_clock_met(poor_answer, supervisor, time_machine):
    follow_up = poor_answer()
    closed_at = datetime(2026, 3, 4, 16, tzinfo=UTC)
    time_machine.move_to(closed_at, tick=False)
    close_follow_up(follow_up=follow_up, by=supervisor, notes="Called the customer")
    clock = follow_up_clock(follow_up=follow_up)
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.MET)
    assert clock.stopped_at == closed_at
    assert clock.next_check_at is None


def test_closing_late_stops_the_clock_breached(poor_answer, supervisor):
    follow_up = poor_answer()
    late = datetime(2026, 3, 5, 9, tzinfo=UTC)
    close_follow_up(follow_up=follow_up, by=supervisor, notes="Called at last", now=late)
    clock = follow_up_clock(follow_up=follow_up)
    assert (clock.state, clock.outcome) == (ClockState.STOPPED, ClockOutcome.BREACHED)
    assert clock.breached_at == clock.due_at


def test_a_breach_escalates_through_the_policys_levels(poor_answer, supervisor, manager):
    follow_up = poor_answer()
    clock = follow_up_clock(follow_up=follow_up)

    report = sweep_clocks(now=clock.due_at - timedelta(seconds=1))
    assert report.breached == 0
    report = sweep_clocks(now=clock.due_at + timedelta(seconds=1))
    assert (report.clocks, report.breached, report.escalations) == (1, 1, 1)
    clock.refresh_from_db()
    assert clock.outcome == ClockOutcome.BREACHED and clock.escalation_level == 1
    # Level 1, at the breach: the supervisor's supervisor; Sam has none, so the team's (Sam).
    note = Notification.objects.get(kind=ESCALATION_KIND)
    assert note.recipient == supervisor
    assert "Follow-up (survey) on Survey follow-up for" in note.message
    assert note.url == f"/desk/surveys/follow-ups/{follow_up.pk}/"

    # Level 2, one service hour after the breach (service hours round the clock here): managers.
    report = sweep_clocks(now=clock.due_at + timedelta(hours=1, seconds=1))
    assert report.escalations == 1
    levels = ClockEscalation.objects.filter(clock=clock).order_by("level")
    assert [(e.level, e.notified_role) for e in levels] == [(1, "supervisor"), (2, "manager")]
    assert Notification.objects.filter(kind=ESCALATION_KIND, recipient=manager).exists()

    assert sweep_clocks(now=clock.due_at + timedelta(days=3)).escalations == 0  # each once


def test_without_the_key_the_setting_is_the_fallback_and_no_clock_runs(
    poor_answer, policy, supervisor, settings
):
    publish(**{THE_KEY: ""})
    settings.SURVEYS_FOLLOW_UP_WITHIN = "1wd"
    follow_up = poor_answer()
    assert follow_up.due_at == datetime(2026, 3, 4, tzinfo=UTC)  # end of Tuesday
    assert not Clock.objects.filter(target=FOLLOW_UP_TARGET).exists()
    assert follow_up_clock(follow_up=follow_up) is None
    closed = close_follow_up(follow_up=follow_up, by=supervisor, notes="Called the customer")
    assert closed.status == "closed"
    assert sweep_clocks(now=datetime(2026, 3, 10, tzinfo=UTC)).clocks == 0  # nothing to escalate


def test_the_page_shows_the_clocks_due_time_and_state(client, poor_answer, supervisor):
    follow_up = poor_answer()
    client.force_login(supervisor)
    html = client.get(f"/desk/surveys/follow-ups/{follow_up.pk}/").content.decode()
    assert "5 Mar 2026 00:00" in html
    assert "Follow-up (survey): running, pending" in html
    ticket = follow_up.response.invitation.conversation
    assert f"Follow-up: Survey of Ticket #{ticket.number}" in html  # not "ticket #1"

    close_follow_up(follow_up=follow_up, by=supervisor, notes="Called the customer")
    html = client.get(f"/desk/surveys/follow-ups/{follow_up.pk}/").content.decode()
    assert "Follow-up (survey): stopped, met" in html


def test_the_page_without_a_clock(client, poor_answer, policy, supervisor):
    publish(**{THE_KEY: ""})
    follow_up = poor_answer()
    client.force_login(supervisor)
    html = client.get(f"/desk/surveys/follow-ups/{follow_up.pk}/").content.decode()
    assert "5 Mar 2026 00:00" in html  # SURVEYS_FOLLOW_UP_WITHIN = "2wd"
    assert "the policy sets no" in html
