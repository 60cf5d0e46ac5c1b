"""Fixtures of the tickets tests: real .eml files, a fixed clock inside service hours, files
stored under a temporary MEDIA_ROOT, and Celery tasks run eagerly where a test asks."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
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
