"""The policy in force is read without writing; a version is published only where a case
starts (a clock), by `policy publish`, or by the admin."""

from datetime import UTC, datetime

import pytest

from helpdesk.models import PolicyVersion
from helpdesk.selectors.policy import policy_in_force
from helpdesk.services.policy import policy_for_new_case
from helpdesk.services.sla import start_clock
from tests.helpdesk.sla_support import make_case

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 4, 10, tzinfo=UTC)


def test_reading_with_nothing_published_gives_the_project_file_unpublished():
    found = policy_in_force(now=NOW)

    assert found.version is None and not found.published
    assert found.policy.document.version == "1.0"
    assert PolicyVersion.objects.count() == 0


def test_reading_gives_the_version_in_force_and_its_policy():
    published = policy_for_new_case(now=NOW)

    found = policy_in_force(now=NOW)

    assert found.version == published.version and found.published
    assert found.policy is published.policy


def test_a_case_opening_publishes_the_project_file_once():
    start_clock(case=make_case(), target="email.first_response", started_at=NOW)
    start_clock(case=make_case(), target="email.first_response", started_at=NOW)

    assert PolicyVersion.objects.count() == 1
    assert policy_in_force(now=NOW).published
