"""Fixtures of the chat tests: a policy with chat open round the clock, online agents, chats."""

from pathlib import Path

import pytest
from django.conf import settings

from chat import services
from helpdesk.models import Presence, Role
from helpdesk.services.policy import publish_policy_version
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
from tests.integration.conftest import broker, celery_worker  # noqa: F401 - a real worker


def policy_text(**replace: str) -> str:
    text = Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")
    text = text.replace('version = "1.0"', 'version = "chat-24x7"')
    text = text.replace("effective = 2026-01-01", "effective = 2020-01-01")
    text = text.replace('"08:00-22:00"', '"00:00-24:00"')
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def policy(db):
    """The project's policy, chat open all day every day, 3 chats per agent."""
    return publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")


@pytest.fixture
def team(db):
    return TeamFactory(name="Support")


def make_agent(username: str, *, team=None, presence=Presence.ONLINE, limit=None, **kwargs):
    user = UserFactory(username=username, first_name=username.title())
    return AgentFactory(
        user=user, team=team, presence=presence, max_concurrent_chats=limit, **kwargs
    ).user


@pytest.fixture
def agent(policy, team):
    return make_agent("alex", team=team)


@pytest.fixture
def supervisor(policy, team):
    return make_agent("sam", team=team, role=Role.SUPERVISOR)


@pytest.fixture
def chat(policy, team):
    return services.start_chat(
        name="Ann Smith", email="ann@example.org", question="My order is late", team=team
    )
