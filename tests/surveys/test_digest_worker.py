"""The weekly digest from the real beat schedule: the entry of config/settings/base.py in a
real `celery.beat.Scheduler`, ticked at a controlled Monday 08:00, sends the task to Redis; a
real Celery worker on the PostgreSQL test database runs it and emails supervisors through a
real SMTP server (aiosmtpd) in this test."""

import importlib
from datetime import datetime, timedelta

import pytest
import time_machine
from celery.beat import Scheduler
from django.utils import timezone

from config.celery import app as celery_app
from surveys.models import SurveyDigest
from surveys.services import invite_to_survey, submit_survey_response
from surveys.services.digest import digest_period
from tests.helpdesk.factories import InteractionFactory
from tests.integration.conftest import Worker
from tests.support.mail import smtp_listening
from tests.support.servers import wait_for

from .factories import token_of

pytestmark = pytest.mark.integration


@pytest.fixture
def smtp():
    with smtp_listening() as (port, handler):
        yield port, handler


@pytest.fixture
def beat_schedule():
    """The production beat entry (the test settings switch beat off)."""
    base = importlib.import_module("config.settings.base")
    entry = base.CELERY_BEAT_SCHEDULE["surveys-weekly-digest"]
    saved = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = {"surveys-weekly-digest": entry}
    yield entry
    celery_app.conf.beat_schedule = saved


def _last_week_surveys(customer_count: int = 3) -> None:
    start, _end = digest_period(timezone.now())
    with time_machine.travel(start + timedelta(days=2), tick=False):
        for score in range(3, 3 + customer_count):
            conversation = InteractionFactory()
            invitation = invite_to_survey(
                conversation=conversation,
                customer=conversation.customer,
                channel="chat",
                email=False,
            )
            submit_survey_response(
                token=token_of(invitation), answered=True, score=score, comment=f"score {score}"
            )


def test_the_weekly_digest_goes_out_from_the_beat_schedule(
    transactional_db, broker, smtp, beat_schedule, policy, supervisor, manager, tmp_path,
    monkeypatch,
):  # fmt: skip
    port, handler = smtp
    _last_week_surveys()
    monkeypatch.setenv("TEST_EMAIL_URL", f"smtp://127.0.0.1:{port}")
    worker = Worker(broker, tmp_path)
    worker.start()
    try:
        # Beat starts on Monday at 07:59 (the schedule's time zone) and ticks at 08:00:01.
        today = timezone.now().astimezone(celery_app.timezone).date()
        monday = today - timedelta(days=today.weekday())
        before = datetime(monday.year, monday.month, monday.day, 7, 59, tzinfo=celery_app.timezone)
        with time_machine.travel(before, tick=False) as clock:
            scheduler = Scheduler(app=celery_app)
            entry = scheduler.schedule["surveys-weekly-digest"]
            assert entry.is_due()[0] is False
            scheduler.tick()
            assert broker.queued() == 0  # not yet due: nothing sent
            clock.move_to(before + timedelta(minutes=1, seconds=1))
            assert entry.is_due()[0] is True
            scheduler.tick()
        wait_for(
            lambda: len([e for e in handler.envelopes if b"Survey digest" in e.content]) >= 2,
            timeout=30,
            what=f"the digest emails\n{worker.output()}",
        )
    finally:
        worker.stop()
    digests = [e for e in handler.envelopes if b"Survey digest" in e.content]
    assert sorted(r for e in digests for r in e.rcpt_tos) == ["max@example.com", "sam@example.com"]
    body = digests[0].content.decode()
    assert "Responses       3" in body and "Satisfaction    4.0" in body
    assert "score 3" in body
    assert SurveyDigest.objects.get().recipients == 2
