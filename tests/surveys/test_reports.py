"""Figures of the digest and the desk page, the weekly digest itself, and its beat schedule."""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from celery.beat import ScheduleEntry
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app as celery_app
from helpdesk.models import Role
from surveys.models import SurveyDigest
from surveys.selectors import Filters, survey_report
from surveys.services import send_weekly_digest
from surveys.services.digest import digest_period
from tests.helpdesk.factories import AgentFactory, UserFactory

from .conftest import LONDON
from .factories import answered_survey

pytestmark = pytest.mark.django_db

# The week the data is in, and the Monday morning after it when beat sends the digest.
WEEK_START = datetime(2026, 3, 2, 0, 0, tzinfo=LONDON)
DIGEST_AT = datetime(2026, 3, 9, 8, 0, tzinfo=LONDON)


@pytest.fixture
def week(time_machine, make_ticket, agent, team):
    """A week of surveys: alex 3 invitations on email (5 yes, 1 no "Slow", unanswered), bo 1
    chat-origin ticket on email scoring 2 "Bad"; one invitation the week before."""
    bo = AgentFactory(user=UserFactory(username="bo"), team=team).user
    time_machine.move_to(WEEK_START - timedelta(days=2), tick=False)
    answered_survey(make_ticket, agent=agent, score=1, comment="Last week")
    time_machine.move_to(WEEK_START + timedelta(days=1, hours=10), tick=False)
    answered_survey(make_ticket, agent=agent, score=5)
    answered_survey(make_ticket, agent=agent, answered=False, score=1, comment="Slow")
    answered_survey(make_ticket, agent=agent)
    answered_survey(make_ticket, agent=bo, channel="web", score=2, comment="Bad")
    return {"alex": agent, "bo": bo}


def test_report_figures(week):
    report = survey_report(filters=Filters(start=WEEK_START, end=WEEK_START + timedelta(days=7)))
    total = report.total
    assert (total.invitations, total.responses, total.answered) == (4, 3, 2)
    assert total.response_rate == pytest.approx(0.75)
    assert total.answered_rate == pytest.approx(2 / 3)
    assert total.average == pytest.approx(8 / 3)
    alex = report.by_agent["Alex"]
    assert (alex.invitations, alex.responses, alex.average) == (3, 2, 3.0)
    assert report.by_agent["bo"].average == 2
    assert set(report.by_channel) == {"Email", "Web form"}
    assert [r.comment for r in report.lowest] == ["Slow", "Bad", ""]
    assert len(report.series) == 1 and report.series[0][1].invitations == 4


def test_report_filters(week, team):
    end = WEEK_START + timedelta(days=7)
    by_agent = survey_report(filters=Filters(start=WEEK_START, end=end, agent_id=week["bo"].pk))
    assert by_agent.total.invitations == 1
    by_channel = survey_report(filters=Filters(start=WEEK_START, end=end, channel="email"))
    assert by_channel.total.invitations == 3
    by_team = survey_report(filters=Filters(start=WEEK_START, end=end, team_id=team.pk))
    assert by_team.total.invitations == 4
    longer = survey_report(filters=Filters(start=WEEK_START - timedelta(days=7), end=end))
    assert longer.total.invitations == 5 and len(longer.series) == 2


def test_report_takes_a_constant_number_of_queries(week, make_ticket, team, time_machine):
    filters = Filters(start=WEEK_START, end=WEEK_START + timedelta(days=7))
    with CaptureQueriesContext(connection) as before:
        survey_report(filters=filters)
    for n in range(4):
        more = AgentFactory(user=UserFactory(username=f"more{n}"), team=team).user
        answered_survey(make_ticket, agent=more, channel="web", score=3, comment="ok")
    with CaptureQueriesContext(connection) as after:
        survey_report(filters=filters)
    assert len(after.captured_queries) == len(before.captured_queries) == 3


def test_digest_period_is_the_previous_full_week():
    assert digest_period(DIGEST_AT) == (WEEK_START, WEEK_START + timedelta(days=7))
    # Any time that week gives the same period.
    assert digest_period(DIGEST_AT + timedelta(days=3))[0] == WEEK_START


def test_weekly_digest_goes_to_supervisors_and_managers_once(
    week, supervisor, manager, time_machine
):
    AgentFactory(user=UserFactory(username="nomail", email=""), role=Role.SUPERVISOR)
    time_machine.move_to(DIGEST_AT, tick=False)
    digest = send_weekly_digest()
    assert digest.recipients == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["max@example.com", "sam@example.com"]
    body = mail.outbox[0].body
    assert "Responses       3" in body
    assert "Response rate   75%" in body
    assert "Answered rate   67%" in body
    assert "Satisfaction    2.7" in body
    assert "- Alex: 2, 67%, 50%, 3.0" in body
    assert "- Web form: 1, 100%, 100%, 2.0" in body
    assert '"Slow"' in body and '"Bad"' in body and "Last week" not in body
    assert "week of 2 March 2026: 3 responses" in mail.outbox[0].subject
    # Beat firing again, or a retry, sends nothing more that week.
    assert send_weekly_digest() is None
    assert len(mail.outbox) == 2
    assert SurveyDigest.objects.count() == 1


def test_beat_schedule_runs_the_digest_on_monday_at_eight(time_machine):
    """The entry of config/settings/base.py (the test settings switch beat off) is due on
    Monday 08:00 and names a registered task."""
    base = importlib.import_module("config.settings.base")
    spec = base.CELERY_BEAT_SCHEDULE["surveys-weekly-digest"]
    celery_app.loader.import_default_modules()
    assert spec["task"] in celery_app.tasks
    sunday = datetime(2026, 3, 8, 8, 0, tzinfo=celery_app.timezone)
    time_machine.move_to(sunday, tick=False)
    entry = ScheduleEntry(
        name="surveys-weekly-digest",
        task=spec["task"],
        schedule=spec["schedule"],
        last_run_at=sunday,
        app=celery_app,
    )
    due, wait = entry.is_due()
    assert not due and wait == pytest.approx(24 * 3600)
    time_machine.move_to(sunday + timedelta(days=1, seconds=1), tick=False)
    due, _wait = entry.is_due()
    assert due


def test_the_digest_goes_out_at_eight_london_time_in_summer_too(time_machine):
    """Beat keeps the team's clock (TIME_ZONE): in British Summer Time the digest is due at
    07:00 UTC, which is 08:00 in London, not an hour late."""
    base = importlib.import_module("config.settings.base")
    spec = base.CELERY_BEAT_SCHEDULE["surveys-weekly-digest"]
    utc = ZoneInfo("UTC")
    last_monday = datetime(2026, 6, 29, 7, 0, 30, tzinfo=utc)  # 08:00:30 BST
    entry = ScheduleEntry(
        name="surveys-weekly-digest",
        task=spec["task"],
        schedule=spec["schedule"],
        last_run_at=last_monday,
        app=celery_app,
    )
    time_machine.move_to(datetime(2026, 7, 6, 6, 59, tzinfo=utc), tick=False)
    assert entry.is_due()[0] is False
    time_machine.move_to(datetime(2026, 7, 6, 7, 0, 30, tzinfo=utc), tick=False)
    assert entry.is_due()[0] is True
