"""`manage.py policy deadline TARGET START [--priority P] [--severity S] [--calendar NAME]` and
`policy check` of a format-version-2 document (POLICY.md, "Format version 2")."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.policy.support import PROJECT_COPY

V2 = """
[document]
title = "T"
company = "C"
version = "2.0"
effective = 2026-01-01
approved_by = "A"
review_every_months = 6

[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
[calendar.hours]
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
wed = ["09:00-17:00"]
thu = ["09:00-17:00"]
fri = ["09:00-17:00"]

[calendars.us-support]
timezone = "America/New_York"
working_days = ["mon", "tue", "wed", "thu", "fri"]
holidays = ["2026-11-26"]
[calendars.us-support.hours]
mon = ["08:00-20:00"]
tue = ["08:00-20:00"]
wed = ["08:00-20:00"]
thu = ["08:00-20:00"]
fri = ["08:00-20:00"]

[channels.email]
first_response = "8h"
resolution = "5wd"

[channels.email.priority.urgent]
first_response = "1h"
resolution = "1d"

[channels.phone]
answer = "20s"

[complaints]
acknowledge = "2wd"
resolution = "10wd"

[complaints.severity.high]
resolution = "4wd"
"""
# `phone.answer` is in the format, but `policy check` refuses it while no service keeps it
# (tests/policy/test_keepers.py); the rest of the version-2 document is kept.
ANSWER = '[channels.phone]\nanswer = "20s"\n'
V2_KEPT = V2.replace(ANSWER, "")
FRIDAY_5PM = "2026-11-20T17:00:00+00:00"  # Friday 17:00 London
MONDAY_2PM = "2026-11-23T14:00:00+00:00"  # Monday 14:00 London, 09:00 New York


@pytest.fixture
def v2_file(tmp_path):
    path = tmp_path / "v2.toml"
    path.write_text(V2)
    return path


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("policy", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def deadline(v2_file, *args):
    out, _ = run("deadline", *args, "--policy", str(v2_file))
    return out


@pytest.mark.parametrize(
    ("args", "due"),
    [
        (["email.first_response", MONDAY_2PM], "2026-11-24T14:00:00+00:00"),
        (["email.first_response", MONDAY_2PM, "--priority", "urgent"], "2026-11-23T15:00:00+00:00"),
        (["email.first_response", MONDAY_2PM, "--priority", "low"], "2026-11-24T14:00:00+00:00"),
        (["email.resolution", MONDAY_2PM, "--priority", "urgent"], "2026-11-24T14:00:00+00:00"),
        (
            ["email.first_response", MONDAY_2PM, "--calendar", "us-support"],
            "2026-11-23T22:00:00+00:00",
        ),
        (
            [
                "email.first_response",
                MONDAY_2PM,
                "--priority",
                "urgent",
                "--calendar",
                "us-support",
            ],
            "2026-11-23T15:00:00+00:00",
        ),
        (["complaints.resolution", FRIDAY_5PM, "--severity", "high"], "2026-11-27T00:00:00+00:00"),
        (["complaints.acknowledge", FRIDAY_5PM, "--severity", "high"], "2026-11-25T00:00:00+00:00"),
        (["phone.answer", "2026-11-21T03:00:00+00:00"], "2026-11-21T03:00:20+00:00"),
        # Six months on, at the same London wall time: midnight BST.
        (["policy.review", "2026-01-01T00:00:00+00:00"], "2026-06-30T23:00:00+00:00"),
    ],
)
def test_deadline_with_the_new_options(v2_file, args, due):
    assert deadline(v2_file, *args) == due + "\n"


def test_the_version_1_form_is_unchanged(v2_file):
    assert deadline(v2_file, "complaints.acknowledge", FRIDAY_5PM) == (
        "2026-11-25T00:00:00+00:00\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["email.first_response", MONDAY_2PM, "--priority", "critical"],
            '"critical" is not a priority (low, normal, high, urgent)',
        ),
        (
            ["complaints.resolution", FRIDAY_5PM, "--severity", "urgent"],
            '"urgent" is not a severity (low, medium, high, critical)',
        ),
        (
            ["complaints.resolution", FRIDAY_5PM, "--priority", "urgent"],
            "--priority applies to the channels' targets (chat, email, phone), not to "
            '"complaints.resolution"; a complaint has --severity',
        ),
        (
            ["email.resolution", FRIDAY_5PM, "--severity", "high"],
            '--severity applies to the complaints\' targets, not to "email.resolution"',
        ),
        (
            ["email.resolution", FRIDAY_5PM, "--calendar", "eu-support"],
            'unknown calendar "eu-support"; known: us-support',
        ),
        (
            ["email.acknowledge", FRIDAY_5PM, "--priority", "urgent"],
            'unknown target "email.acknowledge" (not set in this policy)',
        ),
    ],
)
def test_bad_options_are_one_line(v2_file, args, message):
    with pytest.raises(CommandError) as raised:
        deadline(v2_file, *args)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_check_accepts_a_version_2_document(tmp_path):
    path = tmp_path / "v2.toml"
    path.write_text(V2_KEPT)
    out, _ = run("check", str(path))
    assert out == f"{path}: valid (version 2.0, effective 2026-01-01)\n"


def test_check_still_accepts_the_version_1_reference():
    out, _ = run("check", str(PROJECT_COPY))
    assert out.endswith("valid (version 1.0, effective 2026-01-01)\n")


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        (
            '[channels.email.priority.asap]\nfirst_response = "1h"\n',
            'channels.email.priority.asap: "asap" is not a priority (low, normal, high, urgent)',
        ),
        (
            '[channels.chat]\nanswer = "20s"\n',
            "channels.chat.answer: unknown key (only channels.phone has it)",
        ),
        (
            '[calendars.EU]\ntimezone = "Europe/Paris"\n',
            'calendars.EU: "EU" is not a calendar name',
        ),
    ],
)
def test_check_names_each_problem_with_its_key(tmp_path, extra, line):
    path = tmp_path / "bad.toml"
    path.write_text(V2_KEPT + extra)
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("policy", "check", str(path), stdout=out, stderr=StringIO())
    assert raised.value.returncode == 1
    assert out.getvalue().startswith(line)
    assert str(raised.value) == f"{path}: not valid (1 problem)"


@pytest.mark.django_db
def test_show_lists_each_targets_overrides_and_the_named_calendars(v2_file, settings):
    settings.SERVICE_POLICY_FILE = str(v2_file)

    out, _ = run("show")

    lines = out.splitlines()
    assert lines[lines.index("targets:") + 1 :] == [
        "  email.first_response    8h (urgent: 1h)",
        "  email.resolution        5wd (urgent: 1d)",
        "  phone.answer            20s",
        "  complaints.acknowledge  2wd",
        "  complaints.resolution   10wd (high: 4wd)",
        "calendars: us-support (America/New_York)",
    ]
