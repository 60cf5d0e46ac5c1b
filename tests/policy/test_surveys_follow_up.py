"""The project's extension of the format: `[surveys] follow_up`, the target `surveys.follow_up`
(a supervisor follows up a poor survey answer within it; config/service_policy.toml)."""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk.policy import (
    TARGETS,
    PolicyError,
    UnknownTarget,
    load_policy_file,
    parse_duration,
    parse_policy,
)

PROJECT_COPY = Path(__file__).resolve().parents[2] / "config" / "service_policy.toml"
LONDON = ZoneInfo("Europe/London")
DOCUMENT = """[document]
title = "T"
company = "C"
version = "1"
effective = 2026-01-01
approved_by = "A"
[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
[calendar.hours]
mon = ["09:00-17:00"]
tue = ["09:00-17:00"]
"""


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    return info.value.problems


def test_the_target_is_named_in_the_format():
    assert "surveys.follow_up" in TARGETS
    assert TARGETS[-1] == "surveys.follow_up"


@pytest.mark.parametrize("written", ["2wd", "3d", "8h", "0s"])
def test_follow_up_is_parsed_as_a_duration(written):
    policy = parse_policy(DOCUMENT + f'[surveys]\nfollow_up = "{written}"\n')
    assert policy.surveys.follow_up == parse_duration(written)
    assert policy.target("surveys.follow_up") == parse_duration(written)
    assert policy.targets() == {"surveys.follow_up": parse_duration(written)}
    assert policy.to_dict()["surveys"]["follow_up"] == written


def test_follow_up_is_unset_by_default():
    for text in (DOCUMENT, DOCUMENT + '[surveys]\nexpires_after = "3d"\n'):
        policy = parse_policy(text)
        assert policy.surveys.follow_up is None
        assert "surveys.follow_up" not in policy.targets()
        assert policy.to_dict()["surveys"]["follow_up"] is None
        with pytest.raises(UnknownTarget, match=r'"surveys.follow_up" \(not set in this policy\)'):
            policy.target("surveys.follow_up")
        with pytest.raises(UnknownTarget):
            policy.deadline("surveys.follow_up", datetime(2026, 6, 1, tzinfo=UTC))


def test_the_other_survey_keys_keep_their_meaning():
    policy = parse_policy(
        DOCUMENT + '[surveys]\nexpires_after = "3d"\nscale = 10\nfollow_up = "1wd"\n'
    )
    surveys = policy.surveys
    assert (surveys.expires_after.text, surveys.scale, surveys.follow_up_below) == ("3d", 10, 5)
    assert surveys.follow_up.text == "1wd"


def test_the_deadline_follows_the_calendar():
    policy = parse_policy(DOCUMENT + '[surveys]\nfollow_up = "2wd"\n')
    # Friday 17:00 London: Mon 23 is the 1st working day, Tue 24 the 2nd.
    start = datetime(2026, 11, 20, 17, tzinfo=LONDON)
    due = policy.deadline("surveys.follow_up", start)
    assert due.isoformat() == "2026-11-25T00:00:00+00:00"
    assert due.tzinfo is UTC
    # Service time counts only service hours: Monday 16:00 + 2h is Tuesday 10:00.
    hours = parse_policy(DOCUMENT + '[surveys]\nfollow_up = "2h"\n')
    monday = datetime(2026, 11, 23, 16, tzinfo=LONDON)
    assert hours.deadline("surveys.follow_up", monday) == datetime(2026, 11, 24, 10, tzinfo=UTC)


def test_the_project_copy_sets_two_working_days():
    policy = load_policy_file(PROJECT_COPY)
    assert policy.target("surveys.follow_up") == parse_duration("2wd")
    start = datetime.fromisoformat("2026-11-20T17:00:00+00:00")
    assert policy.deadline("surveys.follow_up", start).isoformat() == "2026-11-25T00:00:00+00:00"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('"2 weeks"', 'surveys.follow_up: "2 weeks" is not a duration'),
        ('"-1wd"', 'surveys.follow_up: "-1wd" is not a duration'),
        ("2", "surveys.follow_up: 2 is not a duration"),
        ('"99999wd"', 'surveys.follow_up: "99999wd" is too long (at most 3660 days)'),
    ],
)
def test_a_bad_follow_up_is_an_error_with_its_key(value, problem):
    assert problems(DOCUMENT + f"[surveys]\nfollow_up = {value}\n") == (problem,)


def test_unknown_survey_keys_are_still_errors():
    assert problems(DOCUMENT + '[surveys]\nfollow_upp = "2wd"\n') == (
        'surveys.follow_upp: unknown key (did you mean "follow_up"?)',
    )
    assert problems(DOCUMENT + '[surveys]\nfollow_up_within = "2wd"\n')[0].startswith(
        "surveys.follow_up_within: unknown key"
    )


def test_working_days_need_a_working_day():
    text = DOCUMENT.replace('["mon", "tue", "wed", "thu", "fri"]', "[]")
    assert problems(text + '[surveys]\nfollow_up = "2wd"\n') == (
        "calendar.working_days: no working days, but working-day durations are set: "
        "surveys.follow_up",
    )
