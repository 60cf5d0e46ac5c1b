"""Fixtures of the surveys tests: a policy in force round the clock, staff with a supervisor,
and conversations (tickets, which any case could stand in for)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache

from helpdesk.models import Role
from helpdesk.services.policy import publish_policy_version
from tests.helpdesk.factories import AgentFactory, CustomerFactory, TeamFactory, UserFactory
from tests.integration.conftest import broker  # noqa: F401 (the worker test's Redis broker)
from tickets.services import open_ticket

LONDON = ZoneInfo("Europe/London")
# A Monday inside service hours, GMT so UTC is the same.
MONDAY_10AM = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def policy_text(**replace: str) -> str:
    text = Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")
    text = text.replace('version = "1.0"', 'version = "surveys-24x7"')
    text = text.replace("effective = 2026-01-01", "effective = 2020-01-01")
    text = text.replace('"08:00-22:00"', '"00:00-24:00"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # the rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(MONDAY_10AM, tick=False)
    return MONDAY_10AM


@pytest.fixture
def policy(db):
    return publish_policy_version(
        document=policy_text(), approved_by="Tests", change_note="surveys 24x7"
    )


@pytest.fixture
def team(db):
    return TeamFactory(name="Support")


@pytest.fixture
def supervisor(team):
    user = UserFactory(username="sam", email="sam@example.com")
    return AgentFactory(user=user, team=team, role=Role.SUPERVISOR).user


@pytest.fixture
def manager(db):
    user = UserFactory(username="max", email="max@example.com")
    return AgentFactory(user=user, role=Role.MANAGER).user


@pytest.fixture
def agent(team, supervisor):
    user = UserFactory(username="alex", email="alex@example.com", first_name="Alex")
    return AgentFactory(user=user, team=team, supervisor=supervisor).user


@pytest.fixture
def customer(db):
    return CustomerFactory(name="Ann Smith", email="ann@example.org")


@pytest.fixture
def make_ticket(policy, customer, agent, django_capture_on_commit_callbacks):
    def make(channel: str = "email", **kwargs):
        with django_capture_on_commit_callbacks(execute=False):
            return open_ticket(
                customer=kwargs.pop("customer", customer),
                subject="My order is late",
                channel=channel,
                assignee=kwargs.pop("assignee", agent),
                **kwargs,
            )

    return make


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()
