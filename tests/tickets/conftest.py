"""Fixtures of the tickets tests: real .eml files, a fixed clock inside service hours, files
stored under a temporary MEDIA_ROOT, and Celery tasks run eagerly where a test asks."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.celery import app as celery_app
from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
from tests.support.servers import free_port
from tickets.services import ingest_email

EMAILS = Path(__file__).parent / "emails"
LONDON = ZoneInfo("Europe/London")
# A Monday inside the policy's service hours (08:00-22:00 London), GMT so UTC is the same.
MONDAY_10AM = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def eml(name: str, **values: object) -> bytes:
    """A fixture email's bytes, with `{placeholder}`s replaced by `values`."""
    raw = (EMAILS / name).read_bytes()
    for key, value in values.items():
        raw = raw.replace(b"{" + key.encode() + b"}", str(value).encode())
    return raw


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEFAULT_FROM_EMAIL = "Example Support <support@helpdesk.example>"
    return tmp_path / "media"


@pytest.fixture
def now(time_machine):
    """The clock stands at Monday 2 March 2026, 10:00 London, and moves only when told."""
    time_machine.move_to(MONDAY_10AM, tick=False)
    return MONDAY_10AM


@pytest.fixture
def policy(db, now):
    return ensure_policy_in_force()


@pytest.fixture
def team():
    """The phone tests' team (modules with a `team` of their own override it)."""
    return TeamFactory(name="Phones")


@pytest.fixture
def agent(team):
    """The phone tests' agent, maya, in `team` (modules with an `agent` of their own override
    it)."""
    return AgentFactory(role=Role.AGENT, team=team, user=UserFactory(username="maya")).user


@pytest.fixture
def ingest(policy, django_capture_on_commit_callbacks):
    """Ingest a fixture email (by file name) as the desk would; on-commit work (Celery sends)
    is captured, not run: tests run the tasks they mean to."""

    def run(name: str, **values):
        with django_capture_on_commit_callbacks(execute=False):
            return ingest_email(raw=eml(name, **values))

    return run


@pytest.fixture
def celery_eager():
    """Tasks queued through Celery run at once in this process (a real Celery call path,
    without a broker)."""
    celery_app.loader.import_default_modules()  # register every app's tasks, as a worker does
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
