"""The complaints app is wired into the core: its breach handler and its beat tasks."""

from complaints.services import on_resolution_breach
from config.celery import app as celery_app
from config.settings import base
from helpdesk import sla_registry


def test_the_resolution_breach_handler_is_registered():
    handlers = sla_registry.handlers_for(sla_registry.BREACH, "complaints.resolution")
    assert on_resolution_breach in handlers
    assert on_resolution_breach not in sla_registry.handlers_for(
        sla_registry.BREACH, "complaints.acknowledge"
    )


def test_beat_runs_the_reminders_and_the_review():
    celery_app.loader.import_default_modules()
    tasks = {entry["task"] for entry in base.CELERY_BEAT_SCHEDULE.values()}
    beat = ("complaints.tasks.remind_complaint_owners", "complaints.tasks.send_complaint_review")
    for name in beat:
        assert name in tasks
        assert name in celery_app.tasks
    assert "complaints.tasks.send_complaint_letter" in celery_app.tasks
