"""Format version 2: `[channels.phone] answer` (the `phone.answer` target, elapsed time) and
`document.review_every_months` (the `policy.review` target, calendar months)."""

import pickle
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpdesk.policy import (
    REVIEW_TARGET,
    TARGETS,
    PolicyError,
    UnknownTarget,
    parse_duration,
    parse_policy,
)
from helpdesk.policy.calendar import add_months
from tests.policy.support import CALENDAR, DOCUMENT, LONDON, NEW_YORK, PROJECT_COPY, problems

# -- phone.answer -----------------------------------------------------------------------------


def phone(answer: str, calendar: str = CALENDAR) -> str:
    return DOCUMENT + calendar + f'[channels.phone]\nanswer = "{answer}"\n'


def test_answer_is_the_phone_answer_target():
    policy = parse_policy(phone("20s"))
    assert "phone.answer" in TARGETS
    assert policy.channels["phone"].answer.text == "20s"
    assert policy.targets() == {"phone.answer": policy.target("phone.answer")}
    assert policy.to_dict()["channels"]["phone"]["answer"] == "20s"


@pytest.mark.parametrize(
    ("written", "seconds"), [("20s", 20), ("0s", 0), ("2m", 120), ("1h", 3600), ("1d", 86400)]
)
def test_answer_is_elapsed_time_whatever_the_service_hours(written, seconds):
    policy = parse_policy(phone(written))
    # Saturday 03:00 London: closed (09:00-17:00 on Mondays only), and the call rings now.
    ringing = datetime(2026, 11, 21, 3, tzinfo=LONDON)
    assert policy.deadline("phone.answer", ringing) == ringing + timedelta(seconds=seconds)
    assert policy.target("phone.answer").kind == "calendar"
    assert policy.target("phone.answer").amount == seconds


def test_answer_across_a_clock_change_counts_real_seconds():
    policy = parse_policy(phone("1h"))
    # 2026-10-25 01:30 BST; an hour later the clocks have gone back: 01:30 GMT.
    ringing = datetime(2026, 10, 25, 1, 30, tzinfo=LONDON)
    due = policy.deadline("phone.answer", ringing)
    assert due == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 10, 25, 1, 30)


def test_answer_needs_no_service_hours():
    closed = CALENDAR.replace('mon = ["09:00-17:00"]\n', "")
    assert parse_policy(phone("20s", closed)).target("phone.answer").text == "20s"
    # A service-time target on the same calendar is refused, answer is not named.
    text = phone("20s", closed) + 'first_response = "2h"\n'
    assert problems(text) == (
        "calendar.hours: no service hours on any day, but service-time durations are set: "
        "channels.phone.first_response",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            phone("2wd"),
            'channels.phone.answer: "2wd" is working days; a call is answered in elapsed time '
            '(e.g. "20s", "2m")',
        ),
        (phone("20 seconds"), 'channels.phone.answer: "20 seconds" is not a duration'),
        (
            DOCUMENT + CALENDAR + '[channels.email]\nanswer = "20s"\n',
            "channels.email.answer: unknown key (only channels.phone has it)",
        ),
        (
            DOCUMENT + CALENDAR + '[channels.chat]\nanswer = "20s"\n',
            "channels.chat.answer: unknown key (only channels.phone has it)",
        ),
        (
            DOCUMENT + CALENDAR + '[channels.phone]\ngreeting = "Hi"\n',
            "channels.phone.greeting: unknown key (only channels.chat has it)",
        ),
        (
            DOCUMENT + CALENDAR + '[complaints.severity.high]\nanswer = "20s"\n',
            "complaints.severity.high.answer: unknown key (only channels.phone has it)",
        ),
    ],
)
def test_answer_problems(text, expected):
    assert problems(text) == (expected,)


def test_answer_by_priority_is_elapsed_too():
    policy = parse_policy(phone("20s") + '[channels.phone.priority.urgent]\nanswer = "5s"\n')
    ringing = datetime(2026, 11, 22, 23, 59, 58, tzinfo=UTC)
    assert policy.deadline("phone.answer", ringing, priority="urgent") == ringing + timedelta(
        seconds=5
    )
    assert policy.target("phone.answer", priority="urgent").kind == "calendar"


def test_phone_answer_not_set():
    policy = parse_policy(DOCUMENT + CALENDAR + '[channels.phone]\nfirst_response = "2h"\n')
    with pytest.raises(UnknownTarget, match=r'"phone.answer" \(not set in this policy\)'):
        policy.target("phone.answer")


# -- policy.review ----------------------------------------------------------------------------


def reviewed_every(months: int | None) -> str:
    line = "" if months is None else f"review_every_months = {months}\n"
    return DOCUMENT + line + CALENDAR


def test_the_review_is_a_target_of_calendar_months():
    policy = parse_policy(reviewed_every(6))
    assert REVIEW_TARGET == "policy.review" and REVIEW_TARGET in TARGETS
    duration = policy.target("policy.review")
    assert (duration.kind, duration.amount, duration.text) == ("months", 6, "6 months")
    assert parse_policy(reviewed_every(1)).target("policy.review").text == "1 month"


def test_the_review_is_not_a_cases_target():
    # A case never runs the policy's review: targets() lists what a case can run.
    policy = parse_policy(PROJECT_COPY.read_text())
    assert "policy.review" not in policy.targets()
    assert "policy.review" not in policy.targets(priority="urgent")
    assert policy.target("policy.review").text == "12 months"


def test_the_default_review_is_every_12_months():
    policy = parse_policy(reviewed_every(None))
    assert policy.review_due(date(2026, 1, 1)) == date(2027, 1, 1)
    assert policy.target("policy.review").amount == 12


@pytest.mark.parametrize(
    ("months", "start", "due"),
    [
        (12, "2026-01-01", "2027-01-01"),
        (1, "2026-01-31", "2026-02-28"),
        (1, "2028-01-31", "2028-02-29"),
        (6, "2026-08-31", "2027-02-28"),
        (12, "2028-02-29", "2029-02-28"),
        (48, "2028-02-29", "2032-02-29"),
        (3, "2026-11-30", "2027-02-28"),
        (1, "2026-12-15", "2027-01-15"),
        (24, "2026-03-31", "2028-03-31"),
    ],
)
def test_review_due(months, start, due):
    policy = parse_policy(reviewed_every(months))
    assert policy.review_due(date.fromisoformat(start)) == date.fromisoformat(due)


def test_review_due_reads_a_datetime_as_its_date():
    policy = parse_policy(reviewed_every(1))
    assert policy.review_due(datetime(2026, 1, 31, 23, tzinfo=UTC)) == date(2026, 2, 28)


def test_the_review_deadline_is_the_same_wall_time_months_later():
    policy = parse_policy(reviewed_every(6))
    # Midnight London in winter, six months on: midnight London in summer (23:00 UTC).
    start = datetime(2026, 1, 1, tzinfo=LONDON)
    due = policy.deadline("policy.review", start)
    assert due == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert due.astimezone(LONDON) == datetime(2026, 7, 1, tzinfo=LONDON)
    assert due.tzinfo is UTC


def test_the_review_deadline_on_a_named_calendar():
    text = reviewed_every(1) + (
        '[calendars.us]\ntimezone = "America/New_York"\nworking_days = []\n[calendars.us.hours]\n'
    )
    policy = parse_policy(text)
    start = datetime(2026, 1, 31, 9, tzinfo=NEW_YORK)
    assert policy.deadline("policy.review", start, calendar="us") == datetime(
        2026, 2, 28, 14, tzinfo=UTC
    )


def test_a_review_wall_time_inside_a_clock_change():
    policy = parse_policy(reviewed_every(2))
    # 2026-01-29 01:30 GMT + 2 months is 2026-03-29 01:30, a wall time the spring change skips
    # in London: due at the change itself, 01:00 UTC (02:00 BST).
    start = datetime(2026, 1, 29, 1, 30, tzinfo=LONDON)
    assert policy.deadline("policy.review", start) == datetime(2026, 3, 29, 1, tzinfo=UTC)
    # 01:30 on the autumn change happens twice: the first, 01:30 BST (00:30 UTC).
    start = datetime(2026, 8, 25, 1, 30, tzinfo=LONDON)
    assert policy.deadline("policy.review", start) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_review_beyond_the_year_9999_is_an_error():
    policy = parse_policy(reviewed_every(12))
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        policy.review_due(date(9999, 6, 1))
    with pytest.raises(PolicyError, match="outside the years 1 to 9999"):
        policy.deadline("policy.review", datetime(9999, 6, 1, tzinfo=UTC))


def test_a_large_review_cycle_still_parses_as_in_version_1():
    policy = parse_policy(reviewed_every(100_000))
    assert policy.document.review_every_months == 100_000


def test_the_review_survives_pickling():
    policy = parse_policy(reviewed_every(3))
    copy = pickle.loads(pickle.dumps(policy))  # noqa: S301 (our own object)
    assert copy.review_due(date(2026, 11, 30)) == date(2027, 2, 28)


# -- add_months laws --------------------------------------------------------------------------

DATES = st.dates(min_value=date(1900, 1, 1), max_value=date(2400, 12, 31))


@given(day=DATES, count=st.integers(0, 600))
def test_add_months_lands_in_the_right_month(day, count):
    due = add_months(day, count)
    assert (due.year * 12 + due.month) - (day.year * 12 + day.month) == count
    assert due.day <= day.day
    if due.day < day.day:  # clamped: the last day of a shorter month
        assert (due + timedelta(days=1)).day == 1


@given(day=DATES, a=st.integers(0, 300), b=st.integers(0, 300))
def test_add_months_is_additive_when_nothing_is_clamped(day, a, b):
    day = day.replace(day=min(day.day, 28))
    assert add_months(add_months(day, a), b) == add_months(day, a + b)


@given(day=DATES)
def test_zero_months_is_the_same_day(day):
    assert add_months(day, 0) == day


@given(day=DATES, count=st.integers(1, 240))
def test_the_review_is_due_after_its_start(day, count):
    policy = parse_policy(reviewed_every(count))
    assert policy.review_due(day) > day
    assert policy.review_due(day) == add_months(day, count)


def test_durations_of_months_are_never_written():
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration("12months")
