"""Durations as written in a policy (POLICY.md, "Durations")."""

import pytest

from helpdesk.policy import Duration, parse_duration


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("0s", "service", 0),
        ("90s", "service", 90),
        ("30m", "service", 1800),
        ("8h", "service", 28_800),
        ("2000h", "service", 7_200_000),
        ("7d", "calendar", 7 * 86_400),
        ("0d", "calendar", 0),
        ("2wd", "working_days", 2),
        ("260wd", "working_days", 260),
        ("007m", "service", 420),
    ],
)
def test_parses_each_unit(text, kind, amount):
    assert parse_duration(text) == Duration(kind=kind, amount=amount, text=text)


def test_keeps_the_text_as_written():
    duration = parse_duration("60s")
    assert duration.text == "60s"
    assert str(duration) == "60s"


@pytest.mark.parametrize(
    "text",
    [
        "60 seconds",
        "60",
        "",
        "s",
        "-5m",
        "+5m",
        "1.5h",
        "5 m",
        " 5m",
        "5m ",
        "5M",
        "5ms",
        "2w",
        "2dw",
        "1h30m",
        "５m",  # a full-width digit is a digit to Python, not to the format
        "9999999999999999s",
    ],
)
def test_refuses_anything_else(text):
    with pytest.raises(ValueError, match="is not a duration") as info:
        parse_duration(text)
    assert str(info.value) == f'"{text}" is not a duration'


def test_message_has_the_exact_form():
    with pytest.raises(ValueError) as info:
        parse_duration("60 seconds")
    assert str(info.value) == '"60 seconds" is not a duration'


@pytest.mark.parametrize("value", [60, None, 1.5, ["60s"]])
def test_refuses_values_that_are_not_strings(value):
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(value)


@pytest.mark.parametrize("text", ["3661d", "87841h", "3661wd", "316224001s"])
def test_refuses_durations_beyond_ten_years(text):
    with pytest.raises(ValueError, match="too long"):
        parse_duration(text)


def test_allows_durations_up_to_the_bound():
    assert parse_duration("3660d").amount == 3660 * 86_400
    assert parse_duration("3660wd").amount == 3660


def test_is_frozen_and_hashable():
    duration = parse_duration("8h")
    with pytest.raises(AttributeError):
        duration.amount = 1  # type: ignore[misc]
    assert {duration, parse_duration("8h")} == {duration}
