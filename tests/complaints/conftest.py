"""Fixtures of the complaints tests: staff with roles, a clock stopped at a known moment, media
under a temporary directory, and Celery tasks run eagerly where a test asks."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from config.celery import app as celery_app
from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, UserFactory
from tests.support.servers import free_port

LONDON = ZoneInfo("Europe/London")
# Friday 20 November 2026, 17:00 London (GMT, so UTC is the same): the POLICY.md example.
FRIDAY_5PM = datetime(2026, 11, 20, 17, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEFAULT_FROM_EMAIL = "Example Support <support@helpdesk.example>"
    return tmp_path / "media"


@pytest.fixture
def now(time_machine):
    """The clock stands at Friday 20 November 2026, 17:00 London, and moves only when told."""
    time_machine.move_to(FRIDAY_5PM, tick=False)
    return FRIDAY_5PM


@pytest.fixture
def policy(db, now):
    return ensure_policy_in_force()


@pytest.fixture
def manager(db):
    return AgentFactory(role=Role.MANAGER, user=UserFactory(username="maria")).user


@pytest.fixture
def agent(db):
    return AgentFactory(role=Role.AGENT, user=UserFactory(username="alex")).user


@pytest.fixture
def supervisor(db):
    return AgentFactory(role=Role.SUPERVISOR, user=UserFactory(username="sam")).user


@pytest.fixture
def celery_eager():
    """Tasks queued through Celery run at once in this process, their errors surfacing."""
    celery_app.loader.import_default_modules()
    saved = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield celery_app
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = saved


class _Collector:
    """An aiosmtpd handler that keeps every envelope it is given."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK: queued"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback, and Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield handler
    controller.stop()
