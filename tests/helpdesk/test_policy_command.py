"""`manage.py policy check|show|publish|deadline` (POLICY.md, "Commands")."""

import os
import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command

from helpdesk.models import PolicyVersion
from helpdesk.services.policy import publish_policy_version

EXAMPLE_START = "2026-11-20T17:00:00+00:00"  # Friday 17:00 London


def policy_document(version="1.0", effective="2026-01-01", acknowledge="2wd"):
    return f"""
[document]
title = "Customer Service Policy"
company = "Example Support Ltd"
number = "CS-001"
version = "{version}"
effective = {effective}
approved_by = "Head of Customer Service"

[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
holidays = ["2026-12-25"]

[calendar.hours]
mon = ["08:00-22:00"]
tue = ["08:00-22:00"]
wed = ["08:00-22:00"]
thu = ["08:00-22:00"]
fri = ["08:00-22:00"]
sat = ["08:00-22:00"]
sun = ["08:00-22:00"]

[channels.chat]
first_response = "60s"

[channels.email]
acknowledge = "0s"
first_response = "8h"
resolution = "5wd"

[complaints]
acknowledge = "{acknowledge}"
resolution = "10wd"
"""


INVALID_DOCUMENT = """
[document]
title = "Customer Service Policy"
version = "2.0"
effective = "soon"
colour = "red"

[calendar]
timezone = "Mars/Olympus"
working_days = ["mon"]

[calendar.hours]
mon = ["08:00-22:00"]

[channels.chat]
first_response = "60 seconds"
"""


@pytest.fixture
def policy_file(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(policy_document())
    return path


@pytest.fixture
def invalid_file(tmp_path):
    path = tmp_path / "invalid.toml"
    path.write_text(INVALID_DOCUMENT)
    return path


def run(*args):
    """call_command, returning (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TestCheck:
    def test_a_valid_file(self, policy_file):
        out, _ = run("check", str(policy_file))

        assert out == f"{policy_file}: valid (version 1.0, effective 2026-01-01)\n"

    def test_the_project_policy_is_valid(self):
        out, _ = run("check", settings.SERVICE_POLICY_FILE)

        assert ": valid (version " in out

    def test_every_problem_with_its_key(self, invalid_file):
        out = StringIO()
        with pytest.raises(CommandError, match="not valid") as raised:
            call_command("policy", "check", str(invalid_file), stdout=out)

        assert raised.value.returncode == 1
        lines = out.getvalue().splitlines()
        assert 'channels.chat.first_response: "60 seconds" is not a duration' in lines
        assert {line.split(":")[0] for line in lines} >= {
            "document.company",
            "document.effective",
            "document.approved_by",
            "document.colour",
            "calendar.timezone",
            "channels.chat.first_response",
        }


@pytest.mark.django_db
class TestPublish:
    def test_records_a_new_version(self, policy_file):
        out, _ = run(
            "publish", str(policy_file), "--approved-by", "Jo Manager", "--note", "First issue"
        )

        assert out == "published policy version 1.0, effective 2026-01-01\n"
        version = PolicyVersion.objects.get()
        assert (version.approved_by, version.change_note) == ("Jo Manager", "First issue")
        assert version.document == policy_file.read_text()
        assert version.published_by is None

    def test_an_invalid_file_prints_the_problems_and_saves_nothing(self, invalid_file):
        err = StringIO()
        with pytest.raises(CommandError, match="nothing published, 6 problems"):
            call_command(
                "policy", "publish", str(invalid_file), "--approved-by", "Jo", "--note", "x",
                stderr=err,
            )  # fmt: skip

        assert "calendar.timezone:" in err.getvalue()
        assert not PolicyVersion.objects.exists()

    def test_a_published_version_number_is_refused(self, policy_file):
        run("publish", str(policy_file), "--approved-by", "Jo", "--note", "First")
        err = StringIO()
        with pytest.raises(CommandError):
            call_command(
                "policy", "publish", str(policy_file), "--approved-by", "Jo", "--note", "Again",
                stderr=err,
            )  # fmt: skip

        assert "document.version: version 1.0 is already published" in err.getvalue()
        assert PolicyVersion.objects.count() == 1

    def test_a_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match="cannot read"):
            run("publish", str(tmp_path / "nope.toml"), "--approved-by", "Jo", "--note", "x")

    def test_the_approval_and_note_are_required(self, policy_file):
        with pytest.raises(CommandError, match="--approved-by"):
            run("publish", str(policy_file), "--note", "x")
        assert not PolicyVersion.objects.exists()


@pytest.mark.django_db
class TestShow:
    def test_the_policy_in_force(self, policy_file, settings):
        settings.SERVICE_POLICY_FILE = str(policy_file)
        publish_policy_version(
            document=policy_document("2.0", "2099-01-01"), approved_by="Jo", change_note="Later"
        )
        publish_policy_version(
            document=policy_document("1.1", "2026-02-01"),
            approved_by="Jo Manager",
            change_note="Faster complaints",
            now=datetime(2026, 1, 15, 9, 0, tzinfo=UTC),
        )

        out, _ = run("show")

        lines = out.splitlines()
        assert lines[0] == "Customer Service Policy (CS-001), Example Support Ltd"
        assert lines[1] == "version 1.1, effective 2026-02-01"
        assert lines[2] == "approved by Jo Manager"
        assert lines[3] == "published 2026-01-15T09:00:00+00:00 by -"
        assert "note: Faster complaints" in lines
        assert any(line.split() == ["complaints.acknowledge", "2wd"] for line in lines)
        assert any(line.split() == ["chat.first_response", "60s"] for line in lines)
        assert not any("phone." in line for line in lines)

    def test_shows_the_policy_file_unpublished_when_nothing_is_published(
        self, policy_file, settings
    ):
        settings.SERVICE_POLICY_FILE = str(policy_file)

        out, _ = run("show")

        lines = out.splitlines()
        assert lines[1:3] == [
            "version 1.0, effective 2026-01-01",
            "approved by Head of Customer Service",
        ]
        assert lines[3].startswith(f"not published: {policy_file} is published when the first")
        assert not PolicyVersion.objects.exists()  # a read never publishes


class TestDeadline:
    @pytest.mark.parametrize(
        ("target", "due"),
        [
            ("complaints.acknowledge", "2026-11-25T00:00:00+00:00"),
            ("email.acknowledge", "2026-11-20T17:00:00+00:00"),
            ("email.first_response", "2026-11-21T11:00:00+00:00"),
            ("email.resolution", "2026-11-28T00:00:00+00:00"),
        ],
    )
    def test_due_time_in_utc_from_a_file(self, policy_file, target, due):
        out, _ = run("deadline", target, EXAMPLE_START, "--policy", str(policy_file))

        assert out == f"{due}\n"

    def test_the_survey_follow_up_target_of_the_project_policy(self):
        project_policy = Path(settings.BASE_DIR) / "config" / "service_policy.toml"
        out, _ = run(
            "deadline", "surveys.follow_up", EXAMPLE_START, "--policy", str(project_policy)
        )

        assert out == "2026-11-25T00:00:00+00:00\n"  # "2wd" from Friday 17:00 London

    def test_the_start_may_have_any_offset(self, policy_file):
        out, _ = run(
            "deadline", "chat.first_response", "2026-11-20T12:00:00-05:00", "--policy",
            str(policy_file),
        )  # fmt: skip

        assert out == "2026-11-20T17:01:00+00:00\n"

    @pytest.mark.django_db
    def test_uses_the_version_in_force(self, policy_file, settings):
        settings.SERVICE_POLICY_FILE = str(policy_file)

        with time_machine.travel(datetime(2026, 11, 24, tzinfo=UTC), tick=False):
            first, _ = run("deadline", "complaints.acknowledge", EXAMPLE_START)
            assert not PolicyVersion.objects.exists()  # read from the file, never published
            run("publish", str(policy_file), "--approved-by", "Jo", "--note", "First")
            publish_policy_version(
                document=policy_document("2.0", "2026-12-01", acknowledge="5wd"),
                approved_by="Jo",
                change_note="Slower",
            )
        with time_machine.travel(datetime(2026, 11, 30, tzinfo=UTC), tick=False):
            before, _ = run("deadline", "complaints.acknowledge", EXAMPLE_START)
        with time_machine.travel(datetime(2026, 12, 2, tzinfo=UTC), tick=False):
            after, _ = run("deadline", "complaints.acknowledge", EXAMPLE_START)

        assert first == before == "2026-11-25T00:00:00+00:00\n"  # the file, then published
        assert after == "2026-11-28T00:00:00+00:00\n"
        assert PolicyVersion.objects.count() == 2

    @pytest.mark.django_db
    def test_no_version_in_force_is_one_line(self, policy_file):
        publish_policy_version(
            document=policy_document("2.0", "2099-01-01"), approved_by="Jo", change_note="Later"
        )

        with pytest.raises(CommandError, match="no policy version is in force"):
            run("deadline", "complaints.acknowledge", EXAMPLE_START)

    @pytest.mark.parametrize(
        ("target", "start", "message"),
        [
            ("complaints.nope", EXAMPLE_START, 'unknown target "complaints.nope"'),
            ("phone.acknowledge", EXAMPLE_START, 'unknown target "phone.acknowledge"'),
            ("chat.first_response", "2026-11-20T17:00:00", "has no UTC offset"),
            ("chat.first_response", "2026-11-20", "has no UTC offset"),
            ("chat.first_response", "next friday", "is not an ISO 8601 time"),
            ("chat.first_response", "2026-02-30T10:00:00+00:00", "is not an ISO 8601 time"),
        ],
    )
    def test_bad_input_is_one_line(self, policy_file, target, start, message):
        with pytest.raises(CommandError) as raised:
            run("deadline", target, start, "--policy", str(policy_file))

        assert message in str(raised.value)
        assert "\n" not in str(raised.value)

    def test_an_invalid_policy_file_is_one_line(self, invalid_file):
        with pytest.raises(CommandError) as raised:
            run("deadline", "chat.first_response", EXAMPLE_START, "--policy", str(invalid_file))

        assert str(raised.value).startswith(f"{invalid_file}: ")
        assert "(and 5 more)" in str(raised.value)
        assert "\n" not in str(raised.value)


def manage(*args):
    """Run `python manage.py policy ...` in a new process, as a user would."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(
        [sys.executable, "manage.py", "policy", *args],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestFromTheShell:
    def test_the_policy_example(self, policy_file):
        result = manage(
            "deadline", "complaints.acknowledge", EXAMPLE_START, "--policy", str(policy_file)
        )

        assert (result.returncode, result.stdout, result.stderr) == (
            0,
            "2026-11-25T00:00:00+00:00\n",
            "",
        )

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["deadline", "nope.target", EXAMPLE_START], 'unknown target "nope.target"'),
            (["deadline", "email.resolution", "20/11/2026 17:00"], "is not an ISO 8601 time"),
            (["deadline", "email.resolution", "2026-11-20T17:00:00"], "has no UTC offset"),
        ],
    )
    def test_bad_deadline_input(self, policy_file, args, message):
        result = manage(*args, "--policy", str(policy_file))

        assert result.returncode == 1
        assert result.stdout == ""
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr

    def test_a_missing_policy_file(self, tmp_path):
        missing = tmp_path / "missing.toml"

        result = manage("deadline", "email.resolution", EXAMPLE_START, "--policy", str(missing))

        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            f"CommandError: {missing}: cannot read (No such file or directory)"
        ]

    def test_check_of_a_missing_file(self, tmp_path):
        result = manage("check", str(tmp_path / "missing.toml"))

        assert result.returncode == 1
        assert "cannot read" in result.stdout
        assert "Traceback" not in result.stderr

    def test_check_of_an_invalid_file_lists_every_problem(self, invalid_file):
        result = manage("check", str(invalid_file))

        assert result.returncode == 1
        assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
            "document.colour",
            "document.company",
            "document.effective",
            "document.approved_by",
            "calendar.timezone",
            "channels.chat.first_response",
        ]
        assert result.stderr == f"CommandError: {invalid_file}: not valid (6 problems)\n"

    @pytest.mark.parametrize(
        "args",
        [["frobnicate"], [], ["deadline", "email.resolution"], ["publish", "x.toml"]],
        ids=["unknown subcommand", "no subcommand", "missing start", "missing approval"],
    )
    def test_usage_errors(self, args):
        result = manage(*args)

        assert result.returncode == 2
        assert "error:" in result.stderr
        assert "Traceback" not in result.stderr
