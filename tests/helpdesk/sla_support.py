"""Helpers of the SLA tests: staff with a chain of command, cases, policy versions, bulk clocks.

Times are UTC in March 2026, when London is on GMT: 10:00 UTC is 10:00 in London, inside the
project policy's service hours (08:00-22:00 every day).
"""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from config.celery import app as celery_app
from helpdesk.models import Clock, PolicyVersion, Role
from helpdesk.services.policy import ensure_policy_in_force, publish_policy_version
from tests.helpdesk.factories import AgentFactory, CustomerFactory, TeamFactory, UserFactory


def at(hour: int, minute: int = 0, second: int = 0, *, day: int = 4) -> datetime:
    """An instant on March `day` 2026 (the 4th is a Wednesday), UTC = London time."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


@contextmanager
def eager_celery():
    """Tasks sent after commit run at once, in the test, and their errors surface."""
    celery_app.loader.import_default_modules()  # register every app's tasks, as a worker does
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager, conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        conf.task_always_eager, conf.task_eager_propagates = saved


@dataclass
class Staff:
    agent: object  # a User
    supervisor: object
    manager: object
    team_supervisor: object
    team: object


def make_staff() -> Staff:
    """An agent whose own supervisor is named, a second supervisor in the agent's team, and a
    manager; every one of them with an email address."""
    team = TeamFactory()
    supervisor = AgentFactory(role=Role.SUPERVISOR, user=UserFactory(username="sam")).user
    team_supervisor = AgentFactory(
        role=Role.SUPERVISOR, team=team, user=UserFactory(username="tess")
    ).user
    manager = AgentFactory(role=Role.MANAGER, user=UserFactory(username="maria")).user
    agent = AgentFactory(
        role=Role.AGENT, team=team, supervisor=supervisor, user=UserFactory(username="alex")
    ).user
    return Staff(agent, supervisor, manager, team_supervisor, team)


def make_case():
    """Any saved model can carry clocks; the core's tests use a customer record as the case."""
    return CustomerFactory()


def project_policy_text() -> str:
    return Path(settings.SERVICE_POLICY_FILE).read_text(encoding="utf-8")


def publish_variant(*, version: str, effective: str, replace: dict[str, str]) -> PolicyVersion:
    """Publish the project's policy with some lines replaced, as a new version."""
    text = project_policy_text()
    text = text.replace('version = "1.0"', f'version = "{version}"')
    text = text.replace("effective = 2026-01-01", f"effective = {effective}")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    return publish_policy_version(document=text, approved_by="Tests", change_note=version)


def bulk_clocks(
    count: int, *, due_at: datetime, start: int = 0, assignee=None, target="chat.first_response"
) -> list[Clock]:
    """`count` running clocks due at `due_at` on cases (customers' ids) from `start` on,
    inserted in one statement: the sweep's view of a busy desk."""
    version = ensure_policy_in_force(now=due_at)
    case_type = ContentType.objects.get_for_model(CustomerFactory._meta.model)
    return Clock.objects.bulk_create(
        Clock(
            case_type=case_type,
            case_id=start + n,
            target=target,
            policy_version=version,
            started_at=due_at - timedelta(seconds=60),
            due_at=due_at,
            warn_at=due_at - timedelta(seconds=12),
            warned_at=due_at - timedelta(seconds=12),
            next_check_at=due_at,
            assignee=assignee,
        )
        for n in range(count)
    )
