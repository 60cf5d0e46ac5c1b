"""`manage.py policy` on hostile documents: a deeply nested or huge document is one clear
problem, and a long list of problems is shown capped, never a traceback or 50,000 lines."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import PolicyVersion
from tests.helpdesk.test_policy_command import EXAMPLE_START, manage, policy_document

DEEP_DOCUMENT = "x = " + "[" * 5000 + "]" * 5000 + "\n"
TOO_DEEP = "document: arrays and inline tables nested deeper than 32 levels"


def bad_hours(count):
    """A document whose Monday lists `count` entries that are not intervals."""
    return policy_document().replace('mon = ["08:00-22:00"]', f"mon = [{', '.join(['1'] * count)}]")


class TestHostileDocuments:
    """A deeply nested or huge document is one clear problem, and a long list of problems is
    shown capped: never a traceback, never 50,000 lines."""

    @pytest.fixture
    def deep_file(self, tmp_path):
        path = tmp_path / "deep.toml"
        path.write_text(DEEP_DOCUMENT)
        return path

    def test_check_of_a_deeply_nested_file(self, deep_file):
        result = manage("check", str(deep_file))

        assert (result.returncode, result.stdout, result.stderr) == (
            1,
            f"{TOO_DEEP}\n",
            f"CommandError: {deep_file}: not valid (1 problem)\n",
        )

    @pytest.mark.django_db
    def test_publish_of_a_deeply_nested_file_saves_nothing(self, deep_file):
        err = StringIO()
        with pytest.raises(CommandError) as raised:
            call_command(
                "policy",
                "publish",
                str(deep_file),
                "--approved-by",
                "Jo",
                "--note",
                "x",
                stderr=err,
            )

        assert err.getvalue() == f"{TOO_DEEP}\n"
        assert str(raised.value) == f"{deep_file}: nothing published, 1 problem"
        assert not PolicyVersion.objects.exists()

    def test_deadline_with_a_deeply_nested_file(self, deep_file):
        result = manage("deadline", "email.resolution", EXAMPLE_START, "--policy", str(deep_file))

        assert (result.returncode, result.stdout, result.stderr) == (
            1,
            "",
            f"CommandError: {deep_file}: {TOO_DEEP}\n",
        )

    def test_check_caps_the_problems_it_lists(self, tmp_path):
        path = tmp_path / "many.toml"
        path.write_text(bad_hours(500))

        result = manage("check", str(path))

        lines = result.stdout.splitlines()
        assert result.returncode == 1
        assert len(lines) == 21
        assert lines[0] == 'calendar.hours.mon[0]: 1 is not an interval "HH:MM-HH:MM"'
        assert lines[19].startswith("calendar.hours.mon[19]: ")
        assert lines[20] == "... and 480 more errors"
        assert result.stderr == f"CommandError: {path}: not valid (500 problems)\n"

    def test_a_50000_entry_hours_list_is_one_line(self, tmp_path):
        path = tmp_path / "hours.toml"
        path.write_text(bad_hours(50_000))

        result = manage("check", str(path))

        assert result.returncode == 1
        assert result.stdout == "calendar.hours.mon: 50,000 entries; at most 1,000 are allowed\n"

    @pytest.mark.django_db
    def test_publish_caps_the_problems_it_lists(self, tmp_path):
        path = tmp_path / "many.toml"
        path.write_text(bad_hours(500))
        out, err = StringIO(), StringIO()

        with pytest.raises(CommandError, match="nothing published, 500 problems"):
            call_command(
                "policy",
                "publish",
                str(path),
                "--approved-by",
                "Jo",
                "--note",
                "x",
                stdout=out,
                stderr=err,
            )

        assert len(err.getvalue().splitlines()) == 21
        assert err.getvalue().splitlines()[-1] == "... and 480 more errors"

    def test_publish_of_a_huge_file_is_one_line(self, tmp_path):
        path = tmp_path / "huge.toml"
        path.write_bytes(b"#" * (1024 * 1024))

        result = manage("publish", str(path), "--approved-by", "Jo", "--note", "Huge")

        assert result.returncode == 1
        assert result.stderr == (
            f"CommandError: {path}: too large; a policy document is at most 256 KB\n"
        )
