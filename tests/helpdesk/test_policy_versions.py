"""Publishing policy versions and finding the one in force (helpdesk/services/policy.py)."""

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import override_settings

from helpdesk.models import PolicyVersion
from helpdesk.policy import PolicyError, parse_policy
from helpdesk.selectors.policy import (
    IN_FORCE,
    SCHEDULED,
    SUPERSEDED,
    policy_version_history,
    policy_version_in_force,
)
from helpdesk.services.policy import (
    INITIAL_NOTE,
    ensure_policy_in_force,
    policy_in_force,
    publish_policy_version,
    service_policy_for,
)
from tests.helpdesk.factories import UserFactory

pytestmark = pytest.mark.django_db

RECEIVED = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)  # a Friday, 17:00 London


def policy_document(
    version="1.0", effective="2026-01-01", acknowledge="2wd", approved_by="Head of Service"
):
    return f"""
[document]
title = "Customer Service Policy"
company = "Example Support Ltd"
version = "{version}"
effective = {effective}
approved_by = "{approved_by}"

[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]

[calendar.hours]
mon = ["08:00-22:00"]
tue = ["08:00-22:00"]
wed = ["08:00-22:00"]
thu = ["08:00-22:00"]
fri = ["08:00-22:00"]

[channels.email]
acknowledge = "0s"
first_response = "8h"

[complaints]
acknowledge = "{acknowledge}"
resolution = "10wd"
"""


def publish(version="1.0", effective="2026-01-01", **kwargs):
    kwargs.setdefault("approved_by", "Jo Manager")
    kwargs.setdefault("change_note", f"Version {version}")
    return publish_policy_version(
        document=policy_document(version, effective, kwargs.pop("acknowledge", "2wd")), **kwargs
    )


@pytest.fixture
def policy_file(tmp_path, settings):
    path = tmp_path / "service_policy.toml"
    path.write_text(policy_document("1.0", "2026-01-01", approved_by="Board of Directors"))
    settings.SERVICE_POLICY_FILE = str(path)
    return path


class TestPublish:
    def test_stores_the_document_as_published_and_its_parsed_form(self):
        user = UserFactory()
        now = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
        document = policy_document("1.1", "2026-12-01")

        version = publish_policy_version(
            document=document,
            approved_by="  Jo Manager ",
            change_note="Complaints acknowledged in 2 working days",
            published_by=user,
            now=now,
        )

        version.refresh_from_db()
        assert version.version == "1.1"
        assert version.effective == date(2026, 12, 1)
        assert version.document == document
        assert version.parsed == json.loads(json.dumps(parse_policy(document).to_dict()))
        assert version.parsed["document"]["approved_by"] == "Head of Service"
        assert version.approved_by == "Jo Manager"
        assert version.change_note == "Complaints acknowledged in 2 working days"
        assert version.published_by == user
        assert version.published_at == now

    def test_a_version_number_is_published_once(self):
        publish("1.0")

        with pytest.raises(PolicyError) as raised:
            publish("1.0", "2026-06-01")

        assert raised.value.problems == ("document.version: version 1.0 is already published",)
        assert PolicyVersion.objects.count() == 1

    def test_an_invalid_document_lists_every_problem_and_saves_nothing(self):
        document = (
            policy_document().replace('"8h"', '"8 hours"').replace("Europe/London", "Nowhere")
        )

        with pytest.raises(PolicyError) as raised:
            publish_policy_version(document=document, approved_by="Jo", change_note="")

        problems = "\n".join(raised.value.problems)
        assert "channels.email.first_response" in problems
        assert "calendar.timezone" in problems
        assert not PolicyVersion.objects.exists()

    def test_a_number_published_concurrently_is_refused(self, monkeypatch):
        publish("1.0")
        # Not yet published when checked, published by the time of the insert.
        answers = iter([False, True])
        monkeypatch.setattr(
            "helpdesk.services.policy.policy_version_exists", lambda **kwargs: next(answers)
        )

        with pytest.raises(PolicyError) as raised:
            publish("1.0", "2026-06-01")

        assert raised.value.problems == ("document.version: version 1.0 is already published",)
        assert PolicyVersion.objects.count() == 1

    @pytest.mark.parametrize("approved_by", ["", "   "])
    def test_the_approval_is_required(self, approved_by):
        with pytest.raises(PolicyError) as raised:
            publish(approved_by=approved_by)

        assert raised.value.problems[0].startswith("approved_by: ")
        assert not PolicyVersion.objects.exists()

    def test_a_toml_syntax_error_saves_nothing(self):
        with pytest.raises(PolicyError):
            publish_policy_version(document="[document", approved_by="Jo", change_note="")
        assert not PolicyVersion.objects.exists()


class TestVersionInForce:
    def test_the_latest_effective_version_is_in_force(self):
        first = publish("1.0", "2026-01-01", now=datetime(2025, 12, 1, tzinfo=UTC))
        second = publish("1.1", "2026-06-01", now=datetime(2026, 5, 1, tzinfo=UTC))

        assert policy_version_in_force(now=datetime(2026, 3, 1, tzinfo=UTC)) == first
        assert policy_version_in_force(now=datetime(2026, 7, 1, tzinfo=UTC)) == second
        assert policy_version_in_force(now=datetime(2025, 12, 31, tzinfo=UTC)) is None

    def test_a_future_version_is_not_in_force_until_its_date(self):
        current = publish("1.0", "2026-01-01")
        publish("2.0", "2026-12-01", acknowledge="5wd")

        with time_machine.travel(datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC), tick=False):
            version, policy = policy_in_force()
            assert version == current
            assert policy.deadline("complaints.acknowledge", RECEIVED) == datetime(
                2026, 11, 25, tzinfo=UTC
            )
        with time_machine.travel(datetime(2026, 12, 1, 0, 0, 1, tzinfo=UTC), tick=False):
            version, policy = policy_in_force()
            assert version.version == "2.0"
            assert policy.deadline("complaints.acknowledge", RECEIVED) == datetime(
                2026, 11, 28, tzinfo=UTC
            )

    def test_the_effective_date_is_the_local_date(self):
        publish("1.0", "2026-01-01")
        publish("2.0", "2026-07-01")

        # 23:30 UTC on 30 June is already 1 July in London (BST).
        assert ensure_policy_in_force(now=datetime(2026, 6, 30, 23, 30, tzinfo=UTC)).version == (
            "2.0"
        )
        assert ensure_policy_in_force(now=datetime(2026, 6, 30, 22, 30, tzinfo=UTC)).version == (
            "1.0"
        )

    def test_a_case_keeps_the_version_it_was_opened_under(self):
        publish("1.0", "2026-01-01")
        with time_machine.travel(datetime(2026, 11, 20, 17, 0, tzinfo=UTC), tick=False):
            opened_under = ensure_policy_in_force()
        publish("2.0", "2026-11-23", acknowledge="5wd")

        with time_machine.travel(datetime(2026, 11, 24, 9, 0, tzinfo=UTC), tick=False):
            assert ensure_policy_in_force().version == "2.0"
            kept = PolicyVersion.objects.get(pk=opened_under.pk)
            due = service_policy_for(kept).deadline("complaints.acknowledge", RECEIVED)
        assert due == datetime(2026, 11, 25, tzinfo=UTC)

    def test_history_marks_each_version_in_force_scheduled_or_superseded(self):
        publish("1.0", "2026-01-01", now=datetime(2025, 12, 1, tzinfo=UTC))
        publish("1.1", "2026-06-01", now=datetime(2026, 5, 1, tzinfo=UTC))
        publish("2.0", "2027-01-01", now=datetime(2026, 11, 1, tzinfo=UTC))

        history = policy_version_history(now=datetime(2026, 11, 25, tzinfo=UTC))

        assert [(v.version, v.status) for v in history] == [
            ("2.0", SCHEDULED),
            ("1.1", IN_FORCE),
            ("1.0", SUPERSEDED),
        ]


class TestEnsurePolicyInForce:
    def test_publishes_the_policy_file_as_the_first_version(self, policy_file):
        now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

        version = ensure_policy_in_force(now=now)

        assert version.version == "1.0"
        assert version.effective == date(2026, 1, 1)
        assert version.document == policy_file.read_text()
        assert version.approved_by == "Board of Directors"
        assert version.change_note == INITIAL_NOTE
        assert version.published_by is None
        assert version.published_at == now

    def test_publishes_the_file_only_once(self, policy_file):
        now = datetime(2026, 11, 25, tzinfo=UTC)
        first = ensure_policy_in_force(now=now)
        policy_file.write_text(policy_document("9.9", "2026-01-01"))

        assert ensure_policy_in_force(now=now) == first
        assert PolicyVersion.objects.count() == 1

    def test_a_published_version_wins_over_the_file(self, policy_file):
        published = publish("3.0", "2026-02-01")

        assert ensure_policy_in_force(now=datetime(2026, 11, 25, tzinfo=UTC)) == published
        assert PolicyVersion.objects.count() == 1

    def test_when_no_version_has_taken_effect_yet_it_says_so(self, policy_file):
        publish("3.0", "2027-01-01")

        with pytest.raises(PolicyError) as raised:
            ensure_policy_in_force(now=datetime(2026, 11, 25, tzinfo=UTC))

        assert "no policy version is in force on 2026-11-25" in str(raised.value)
        assert "2027-01-01" in str(raised.value)
        assert PolicyVersion.objects.count() == 1

    def test_an_invalid_policy_file_publishes_nothing(self, policy_file):
        policy_file.write_text(policy_document().replace('"2wd"', '"two days"'))

        with pytest.raises(PolicyError) as raised:
            ensure_policy_in_force(now=datetime(2026, 11, 25, tzinfo=UTC))

        assert raised.value.problems == ('complaints.acknowledge: "two days" is not a duration',)
        assert not PolicyVersion.objects.exists()

    def test_a_missing_policy_file_is_a_policy_error(self, tmp_path):
        with (
            override_settings(SERVICE_POLICY_FILE=str(tmp_path / "missing.toml")),
            pytest.raises(PolicyError, match="cannot read"),
        ):
            ensure_policy_in_force()
        assert not PolicyVersion.objects.exists()


class TestServicePolicyFor:
    def test_parses_each_published_version_once(self):
        version = publish("1.0")

        first = service_policy_for(PolicyVersion.objects.get(pk=version.pk))
        again = service_policy_for(PolicyVersion.objects.get(pk=version.pk))

        assert first is again
        assert first.document.version == "1.0"

    def test_policy_in_force_returns_the_version_and_its_policy(self):
        version = publish("1.0")

        found, policy = policy_in_force(now=datetime(2026, 11, 25, tzinfo=UTC))

        assert found == version
        assert policy.to_dict() == parse_policy(version.document).to_dict()
