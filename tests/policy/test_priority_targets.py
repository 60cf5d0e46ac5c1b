"""Format version 2: targets by priority and complaint severity (POLICY.md, "Targets by
priority")."""

import json
import pickle
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.policy import (
    PRIORITIES,
    SEVERITIES,
    TARGETS,
    PolicyError,
    UnknownLevel,
    UnknownTarget,
    parse_duration,
    parse_policy,
)
from tests.policy.support import CALENDAR, DOCUMENT, LONDON, PROJECT_COPY, problems

PRIORITY = (
    DOCUMENT
    + CALENDAR
    + """
[channels.email]
acknowledge = "0s"
first_response = "8h"

[channels.email.priority.urgent]
first_response = "1h"
resolution = "1d"

[channels.email.priority.low]
first_response = "16h"

[channels.chat]
first_response = "60s"

[channels.chat.priority.high]
first_response = "30s"

[complaints]
acknowledge = "2wd"
resolution = "10wd"

[complaints.severity.high]
resolution = "4wd"

[complaints.severity.critical]
acknowledge = "0wd"
resolution = "1wd"
"""
)
MONDAY_10 = datetime(2026, 11, 23, 10, tzinfo=LONDON)


@pytest.fixture(scope="module")
def policy():
    return parse_policy(PRIORITY)


def test_a_priority_overrides_the_targets_it_sets(policy):
    assert policy.target("email.first_response", priority="urgent") == parse_duration("1h")
    assert policy.target("email.first_response", priority="low") == parse_duration("16h")
    assert policy.target("chat.first_response", priority="high") == parse_duration("30s")


def test_a_target_the_override_leaves_out_is_the_channels_own(policy):
    assert policy.target("email.acknowledge", priority="urgent") == parse_duration("0s")
    assert policy.target("email.first_response", priority="normal") == parse_duration("8h")
    assert policy.target("email.first_response", priority="high") == parse_duration("8h")
    assert policy.target("email.first_response") == parse_duration("8h")


def test_an_override_may_set_a_target_the_channel_leaves_out(policy):
    assert policy.target("email.resolution", priority="urgent") == parse_duration("1d")
    with pytest.raises(UnknownTarget, match="not set in this policy"):
        policy.target("email.resolution")
    with pytest.raises(UnknownTarget, match="not set in this policy"):
        policy.target("email.resolution", priority="low")


def test_targets_of_a_priority(policy):
    assert policy.targets(priority="urgent") == {
        "chat.first_response": parse_duration("60s"),
        "email.acknowledge": parse_duration("0s"),
        "email.first_response": parse_duration("1h"),
        "email.resolution": parse_duration("1d"),
        "complaints.acknowledge": parse_duration("2wd"),
        "complaints.resolution": parse_duration("10wd"),
    }
    assert policy.targets(priority="normal") == policy.targets()
    assert list(policy.targets(priority="urgent")) == [
        name for name in TARGETS if name in policy.targets(priority="urgent")
    ]


def test_severity_overrides_the_complaints_targets(policy):
    assert policy.target("complaints.resolution", severity="high") == parse_duration("4wd")
    assert policy.target("complaints.acknowledge", severity="high") == parse_duration("2wd")
    assert policy.target("complaints.acknowledge", severity="critical") == parse_duration("0wd")
    assert policy.target("complaints.resolution", severity="medium") == parse_duration("10wd")
    assert policy.targets(severity="critical")["complaints.resolution"] == parse_duration("1wd")


def test_priority_and_severity_each_apply_to_their_own_section(policy):
    # "high" is both a priority and a severity: a complaint's targets follow the severity only.
    assert policy.target("complaints.resolution", priority="high") == parse_duration("10wd")
    assert policy.target("chat.first_response", severity="high") == parse_duration("60s")
    both = policy.targets(priority="high", severity="high")
    assert both["chat.first_response"] == parse_duration("30s")
    assert both["complaints.resolution"] == parse_duration("4wd")


def test_deadline_with_a_priority(policy):
    # Monday 10:00 London, 09:00-17:00 on Mondays only: "1h" is due at 11:00 the same day.
    due = policy.deadline("email.first_response", MONDAY_10, priority="urgent")
    assert due == datetime(2026, 11, 23, 11, tzinfo=UTC)
    assert due.tzinfo is UTC
    # The channel's own "8h": 7 service hours left on Monday, 1 more the next Monday.
    assert policy.deadline("email.first_response", MONDAY_10) == datetime(
        2026, 11, 30, 10, tzinfo=UTC
    )
    # "1d" is elapsed time, service hours or not.
    assert policy.deadline("email.resolution", MONDAY_10, priority="urgent") == datetime(
        2026, 11, 24, 10, tzinfo=UTC
    )


def test_deadline_with_a_severity(policy):
    # Received Friday 17:00 London; "4wd": Mon 23, Tue 24, Wed 25, Thu 26 -> Fri 27 00:00.
    friday = datetime(2026, 11, 20, 17, tzinfo=LONDON)
    assert policy.deadline("complaints.resolution", friday, severity="high") == datetime(
        2026, 11, 27, tzinfo=UTC
    )
    # "0wd": at the close of the day of receipt.
    assert policy.deadline("complaints.acknowledge", friday, severity="critical") == datetime(
        2026, 11, 21, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"priority": "critical"}, '"critical" is not a priority (low, normal, high, urgent)'),
        ({"severity": "urgent"}, '"urgent" is not a severity (low, medium, high, critical)'),
        ({"priority": ""}, '"" is not a priority'),
        ({"priority": 3}, "3 is not a priority"),
    ],
)
def test_an_unknown_level_is_an_error(policy, kwargs, message):
    for call in (
        lambda: policy.target("email.first_response", **kwargs),
        lambda: policy.targets(**kwargs),
        lambda: policy.deadline("email.first_response", MONDAY_10, **kwargs),
    ):
        with pytest.raises(UnknownLevel) as info:
            call()
        assert message in str(info.value)
        assert isinstance(info.value, PolicyError)


def test_the_levels_are_the_cases_own():
    from complaints.models import Severity
    from tickets.models import Priority

    assert tuple(Priority.values) == PRIORITIES
    assert tuple(Severity.values) == SEVERITIES


def test_overrides_in_the_plain_form(policy):
    plain = json.loads(json.dumps(policy.to_dict()))
    assert plain["channels"]["email"]["priority"] == {
        "urgent": {"first_response": "1h", "resolution": "1d"},
        "low": {"first_response": "16h"},
    }
    assert plain["channels"]["chat"]["priority"] == {"high": {"first_response": "30s"}}
    assert plain["complaints"]["severity"] == {
        "high": {"resolution": "4wd"},
        "critical": {"acknowledge": "0wd", "resolution": "1wd"},
    }


def test_a_policy_with_overrides_survives_pickling(policy):
    copy = pickle.loads(pickle.dumps(policy))  # noqa: S301 (our own object)
    assert copy == policy
    assert copy.targets(priority="urgent") == policy.targets(priority="urgent")
    assert hash(copy) == hash(policy)


def test_a_version_1_document_has_no_overrides():
    policy = parse_policy(PROJECT_COPY.read_text())
    for level in PRIORITIES:
        assert policy.targets(priority=level) == policy.targets()
    for level in SEVERITIES:
        assert policy.targets(severity=level) == policy.targets()
    assert all(channel.priority == () for channel in policy.channels.values())
    assert policy.complaints.severity == ()


# -- problems ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[channels.email.priority.critical]\nfirst_response = "1h"\n',
            'channels.email.priority.critical: "critical" is not a priority '
            "(low, normal, high, urgent)",
        ),
        (
            '[channels.email.priority.urgent]\nfirst_respons = "1h"\n',
            "channels.email.priority.urgent.first_respons: unknown key "
            '(did you mean "first_response"?)',
        ),
        (
            '[channels.email.priority.urgent]\nfirst_response = "1 hour"\n',
            'channels.email.priority.urgent.first_response: "1 hour" is not a duration',
        ),
        (
            "[channels.chat.priority.urgent]\nsurvey = true\n",
            "channels.chat.priority.urgent.survey: unknown key",
        ),
        (
            '[channels.chat.priority.urgent]\nwait_notice_after = "10s"\n',
            "channels.chat.priority.urgent.wait_notice_after: unknown key",
        ),
        (
            '[channels.email.priority.urgent]\nanswer = "10s"\n',
            "channels.email.priority.urgent.answer: unknown key (only channels.phone has it)",
        ),
        (
            '[channels.email]\npriority = "urgent"\n',
            "channels.email.priority: must be a table, not a string",
        ),
        (
            '[channels.email.priority]\nurgent = "1h"\n',
            "channels.email.priority.urgent: must be a table, not a string",
        ),
        (
            '[complaints.severity.urgent]\nresolution = "1wd"\n',
            'complaints.severity.urgent: "urgent" is not a severity (low, medium, high, critical)',
        ),
        (
            '[complaints.severity.high]\nfirst_response = "1h"\n',
            "complaints.severity.high.first_response: unknown key",
        ),
        (
            '[complaints]\nseverity = ["high"]\n',
            "complaints.severity: must be a table, not an array",
        ),
    ],
)
def test_problems_in_overrides(text, expected):
    found = problems(DOCUMENT + CALENDAR + text)
    assert any(p == expected or p.startswith(expected) for p in found), found


def test_every_problem_in_overrides_at_once():
    found = problems(
        DOCUMENT
        + CALENDAR
        + '[channels.phone.priority.top]\nanswer = "1s"\n'
        + '[channels.phone.priority.high]\nanswer = "1wd"\nresolution = "soon"\n'
    )
    assert [p.split(":")[0] for p in found] == [
        "channels.phone.priority.top",
        "channels.phone.priority.high.resolution",
        "channels.phone.priority.high.answer",
    ]


def test_a_working_day_override_needs_working_days():
    text = DOCUMENT + CALENDAR.replace('"mon", "tue", "wed", "thu", "fri"', "")
    found = problems(text + '[complaints.severity.high]\nresolution = "4wd"\n')
    assert found == (
        "calendar.working_days: no working days, but working-day durations are set: "
        "complaints.severity.high.resolution",
    )


# -- laws -------------------------------------------------------------------------------------

DURATIONS = st.sampled_from(["0s", "90s", "30m", "8h", "2d", "0wd", "3wd"])


@given(
    own=st.one_of(st.none(), DURATIONS),
    override=st.one_of(st.none(), DURATIONS),
    level=st.sampled_from(PRIORITIES),
    other=st.sampled_from(PRIORITIES),
)
def test_an_override_changes_its_own_level_only(own, override, level, other):
    text = DOCUMENT + CALENDAR + "[channels.email]\n"
    if own:
        text += f'resolution = "{own}"\n'
    text += f"[channels.email.priority.{level}]\n"
    if override:
        text += f'resolution = "{override}"\n'
    policy = parse_policy(text)
    expected = override or own
    got = policy.targets(priority=level).get("email.resolution")
    assert got == (parse_duration(expected) if expected else None)
    if other != level:
        assert policy.targets(priority=other) == policy.targets()
