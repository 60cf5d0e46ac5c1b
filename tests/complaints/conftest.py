"""Fixtures of the complaints tests: staff with roles, a clock stopped at a known moment, media
under a temporary directory, and Celery tasks run eagerly where a test asks."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, UserFactory

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
