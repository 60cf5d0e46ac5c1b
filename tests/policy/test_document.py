"""Reading and validating a policy document (POLICY.md, "Sections")."""

import json
import pickle
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from helpdesk.policy import (
    TARGETS,
    PolicyError,
    ServicePolicy,
    UnknownTarget,
    load_policy_file,
    parse_duration,
    parse_policy,
)

ROOT = Path(__file__).resolve().parents[2]
PROJECT_COPY = ROOT / "config" / "service_policy.toml"
SHARED = Path("/work/shared/service_policy.toml")
LONDON = ZoneInfo("Europe/London")

DOCUMENT = """[document]
title = "T"
company = "C"
version = "1"
effective = 2026-01-01
approved_by = "A"
"""
CALENDAR = """[calendar]
timezone = "Europe/London"
working_days = ["mon", "tue", "wed", "thu", "fri"]
[calendar.hours]
mon = ["09:00-17:00"]
"""


def problems(text: str) -> tuple[str, ...]:
    with pytest.raises(PolicyError) as info:
        parse_policy(text)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


@pytest.fixture(scope="module")
def reference() -> ServicePolicy:
    return load_policy_file(PROJECT_COPY)


# -- the reference document -------------------------------------------------------------------


def test_the_reference_file_parses(reference):
    assert reference.document.title == "Customer Service Policy"
    assert reference.document.version == "1.0"
    assert reference.document.effective == date(2026, 1, 1)
    assert reference.document.review_every_months == 12
    assert reference.calendar.timezone == "Europe/London"
    assert reference.calendar.working_days == frozenset(range(5))
    assert date(2026, 12, 25) in reference.calendar.holidays
    assert reference.calendar.hours[6] == ((480, 1320),)
    chat = reference.channels["chat"]
    assert chat.first_response == parse_duration("60s")
    assert (chat.max_concurrent_per_agent, chat.survey) == (3, True)
    assert chat.wait_notice_after == parse_duration("20s")
    assert chat.greeting.format(customer_name="Ann", company="X").startswith("Hi Ann")
    assert reference.channels["phone"].survey is False
    assert reference.channels["email"].greeting is None
    assert reference.complaints.review == "weekly"
    assert reference.complaints.procedure.startswith("1. Every complaint")
    assert [(lv.after.text, lv.notify) for lv in reference.escalation] == [
        ("0s", "supervisor"),
        ("1h", "manager"),
    ]
    assert (reference.surveys.scale, reference.surveys.follow_up_below) == (5, 3)
    assert reference.surveys.expires_after == parse_duration("7d")


@pytest.mark.skipif(not SHARED.exists(), reason="the shared reference is not beside the project")
def test_the_project_copy_means_the_same_as_the_shared_reference(reference):
    assert load_policy_file(SHARED) == reference
    assert PROJECT_COPY.read_text().startswith(SHARED.read_text())


def test_to_dict_is_json_serialisable(reference):
    plain = json.loads(json.dumps(reference.to_dict()))
    assert plain["document"]["effective"] == "2026-01-01"
    assert plain["calendar"]["holidays"] == ["2026-12-25", "2026-12-26", "2027-01-01"]
    assert plain["calendar"]["working_days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert plain["calendar"]["hours"]["sun"] == ["08:00-22:00"]
    assert plain["channels"]["email"]["resolution"] == "5wd"
    assert plain["channels"]["chat"]["acknowledge"] is None
    assert plain["complaints"]["acknowledge"] == "2wd"
    assert plain["escalation"] == [
        {"after": "0s", "notify": "supervisor"},
        {"after": "1h", "notify": "manager"},
    ]
    assert plain["surveys"]["expires_after"] == "7d"


def test_targets_and_deadlines(reference):
    assert reference.targets() == {
        "chat.first_response": parse_duration("60s"),
        "chat.resolution": parse_duration("30m"),
        "email.acknowledge": parse_duration("0s"),
        "email.first_response": parse_duration("8h"),
        "email.resolution": parse_duration("5wd"),
        "phone.first_response": parse_duration("2h"),
        "phone.resolution": parse_duration("5wd"),
        "complaints.acknowledge": parse_duration("2wd"),
        "complaints.resolution": parse_duration("10wd"),
    }
    assert reference.target("email.first_response").text == "8h"
    start = datetime(2026, 11, 20, 17, tzinfo=LONDON)
    due = reference.deadline("complaints.acknowledge", start)
    assert due.isoformat() == "2026-11-25T00:00:00+00:00"
    assert due.tzinfo is UTC
    assert reference.deadline("chat.first_response", start).isoformat() == (
        "2026-11-20T17:01:00+00:00"
    )


def test_targets_is_a_copy(reference):
    reference.targets().clear()
    assert reference.targets()


def test_every_target_name():
    assert TARGETS == (
        "chat.acknowledge",
        "chat.first_response",
        "chat.resolution",
        "email.acknowledge",
        "email.first_response",
        "email.resolution",
        "phone.acknowledge",
        "phone.first_response",
        "phone.resolution",
        "complaints.acknowledge",
        "complaints.resolution",
    )


def test_an_unknown_target(reference):
    with pytest.raises(UnknownTarget) as info:
        reference.deadline("chat.foo", datetime(2026, 6, 1, tzinfo=UTC))
    assert str(info.value) == (
        'unknown target "chat.foo"; known: chat.first_response, chat.resolution, '
        "email.acknowledge, email.first_response, email.resolution, phone.first_response, "
        "phone.resolution, complaints.acknowledge, complaints.resolution"
    )
    assert info.value.name == "chat.foo"
    assert isinstance(info.value, PolicyError)
    assert isinstance(info.value, ValueError)


def test_a_target_the_policy_does_not_set(reference):
    with pytest.raises(UnknownTarget, match=r'"chat.acknowledge" \(not set in this policy\)'):
        reference.target("chat.acknowledge")


def test_deadline_refuses_a_naive_start(reference):
    with pytest.raises(ValueError, match="no time zone"):
        reference.deadline("chat.first_response", datetime(2026, 6, 1, 12))


def test_the_policy_survives_pickling(reference):
    copy = pickle.loads(pickle.dumps(reference))  # noqa: S301 (our own object)
    assert copy == reference
    assert copy.targets() == reference.targets()
    with pytest.raises(TypeError):
        copy.channels["sms"] = copy.channels["chat"]  # type: ignore[index]


def test_channels_passed_as_a_dict_are_copied_and_read_only(reference):
    channels = dict(reference.channels)
    policy = replace(reference, channels=channels)
    channels.clear()
    assert set(policy.channels) == {"chat", "email", "phone"}
    assert policy == reference


def test_the_policy_is_immutable(reference):
    with pytest.raises(FrozenInstanceError):
        reference.document = None  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        reference.document.title = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        reference.channels["sms"] = reference.channels["chat"]  # type: ignore[index]


# -- defaults ---------------------------------------------------------------------------------


def test_only_the_required_keys():
    policy = parse_policy(DOCUMENT + CALENDAR)
    assert dict(policy.channels) == {}
    assert policy.complaints is None
    assert policy.escalation == ()
    assert policy.targets() == {}
    assert (policy.document.number, policy.document.purpose, policy.document.scope) == ("", "", "")
    assert policy.document.review_every_months == 12
    assert policy.calendar.holidays == frozenset()
    assert policy.calendar.hours[1] == ()
    surveys = policy.surveys
    assert (surveys.expires_after.text, surveys.scale, surveys.follow_up_below) == ("7d", 5, 3)
    assert surveys.question == "Did we answer your question today?"
    json.dumps(policy.to_dict())
    with pytest.raises(UnknownTarget, match=r'"chat.first_response" .*; known: none'):
        policy.target("chat.first_response")


def test_channel_defaults():
    policy = parse_policy(
        DOCUMENT + CALENDAR + '[channels.chat]\nfirst_response = "1m"\n[channels.email]\n'
    )
    chat, email = policy.channels["chat"], policy.channels["email"]
    assert chat.survey is False
    assert chat.max_concurrent_per_agent == 1
    assert chat.greeting == (
        "Hi {customer_name}, thanks for contacting {company}. How can I help you today?"
    )
    assert chat.wait_notice_after is None and chat.offer_message_after is None
    assert (email.acknowledge, email.first_response, email.resolution) == (None, None, None)
    assert (email.max_concurrent_per_agent, email.greeting) == (None, None)
    assert list(policy.targets()) == ["chat.first_response"]


def test_complaints_defaults():
    complaints = parse_policy(DOCUMENT + CALENDAR + "[complaints]\n").complaints
    assert (complaints.acknowledge, complaints.review, complaints.procedure) == (None, "weekly", "")


@pytest.mark.parametrize(("scale", "below"), [(2, 1), (3, 2), (10, 5)])
def test_follow_up_defaults_to_half_the_scale(scale, below):
    policy = parse_policy(DOCUMENT + CALENDAR + f"[surveys]\nscale = {scale}\n")
    assert policy.surveys.follow_up_below == below


def test_dates_may_be_toml_dates_or_strings():
    text = DOCUMENT.replace("2026-01-01", '"2026-02-01"') + CALENDAR.replace(
        "[calendar.hours]", 'holidays = [2026-12-25, "2026-12-26"]\n[calendar.hours]'
    )
    policy = parse_policy(text)
    assert policy.document.effective == date(2026, 2, 1)
    assert policy.calendar.holidays == {date(2026, 12, 25), date(2026, 12, 26)}


def test_touching_intervals_are_not_overlapping():
    policy = parse_policy(DOCUMENT + CALENDAR + 'tue = ["12:00-13:00", "09:00-12:00"]\n')
    assert policy.calendar.hours[1] == ((540, 720), (720, 780))


def test_a_calendar_without_service_hours_is_fine_without_service_time():
    text = (
        DOCUMENT + '[calendar]\ntimezone = "UTC"\nworking_days = ["mon"]\n[calendar.hours]\n'
        '[complaints]\nacknowledge = "2wd"\n[surveys]\nexpires_after = "7d"\n'
    )
    assert parse_policy(text).target("complaints.acknowledge").text == "2wd"


# -- every problem, with its key path ---------------------------------------------------------

EXTRA_CASES = [
    (
        '[channels.chat]\nfirst_response = "60 seconds"',
        ['channels.chat.first_response: "60 seconds" is not a duration'],
    ),
    (
        '[channels.chat]\nfirts_response = "60s"',
        ['channels.chat.firts_response: unknown key (did you mean "first_response"?)'],
    ),
    (
        '[channels.email]\ngreeting = "Hi"\nmax_concurrent_per_agent = 2',
        [
            "channels.email.greeting: unknown key (only channels.chat has it)",
            "channels.email.max_concurrent_per_agent: unknown key (only channels.chat has it)",
        ],
    ),
    (
        '[channels.phone]\nwait_notice_after = "1m"',
        ["channels.phone.wait_notice_after: unknown key (only channels.chat has it)"],
    ),
    ('[channels.sms]\nfirst_response = "1h"', ["channels.sms: unknown key"]),
    ("[channels]\nchat = 1", ["channels.chat: must be a table, not an integer"]),
    (
        '[channels.chat]\nsurvey = "yes"\nmax_concurrent_per_agent = true',
        [
            "channels.chat.survey: must be true or false, not a string",
            "channels.chat.max_concurrent_per_agent: must be an integer, not a boolean",
        ],
    ),
    (
        '[channels.chat]\nmax_concurrent_per_agent = 0\ngreeting = "Hi {name}"',
        [
            "channels.chat.max_concurrent_per_agent: must be at least 1",
            "channels.chat.greeting: unknown placeholder {name} (use {customer_name}, {company})",
        ],
    ),
    (
        '[channels.chat]\ngreeting = "Hi {"',
        ["channels.chat.greeting: not a valid template: Single '{' encountered in format string"],
    ),
    (
        "[channels.chat]\nfirst_response = 60",
        ["channels.chat.first_response: 60 is not a duration"],
    ),
    (
        '[channels.email]\nacknowledge = "0 s"\nresolution = "5 wd"',
        [
            'channels.email.acknowledge: "0 s" is not a duration',
            'channels.email.resolution: "5 wd" is not a duration',
        ],
    ),
    (
        '[complaints]\nreview = "yearly"\nfirst_response = "1h"',
        [
            "complaints.first_response: unknown key",
            'complaints.review: "yearly" is not one of daily, weekly, monthly',
        ],
    ),
    ("[complaints]\nprocedure = 1", ["complaints.procedure: must be a string, not an integer"]),
    (
        '[[escalation]]\nafter = "1h"\nnotify = "ceo"\nwho = 1',
        [
            "escalation[0].who: unknown key",
            'escalation[0].notify: "ceo" is not one of agent, supervisor, manager',
        ],
    ),
    ('[[escalation]]\nnotify = "manager"', ["escalation[0].after: required"]),
    ('[[escalation]]\nafter = "1h"', ["escalation[0].notify: required"]),
    (
        '[[escalation]]\nafter = "2h"\nnotify = "supervisor"\n'
        '[[escalation]]\nafter = "1h"\nnotify = "manager"',
        ['escalation[1].after: "1h" comes before an earlier level'],
    ),
    ('[escalation]\nafter = "1h"', ["escalation: must be an array of tables ([[escalation]])"]),
    (
        "[surveys]\nscale = 1\nfollow_up_below = 0",
        ["surveys.scale: must be at least 2", "surveys.follow_up_below: must be at least 1"],
    ),
    (
        '[surveys]\nscale = 5\nfollow_up_below = 6\nexpires_after = "1 week"\nquestion = 5',
        [
            'surveys.expires_after: "1 week" is not a duration',
            "surveys.question: must be a string, not an integer",
            "surveys.follow_up_below: must be between 1 and the scale (5)",
        ],
    ),
    ("[surveys]\nscale = 5.0", ["surveys.scale: must be an integer, not a float"]),
    (
        '[surveys]\nexpire_after = "7d"',
        ['surveys.expire_after: unknown key (did you mean "expires_after"?)'],
    ),
    ("[extra]\nx = 1", ["extra: unknown key"]),
    (
        'tue = ["09:00-12:00", "11:00-13:00"]',
        ['calendar.hours.tue: "09:00-12:00" and "11:00-13:00" overlap'],
    ),
    (
        'tue = ["09:00-17:00", "09:00-17:00"]',
        ['calendar.hours.tue: "09:00-17:00" and "09:00-17:00" overlap'],
    ),
    ('monday = ["09:00-10:00"]', ['calendar.hours.monday: unknown key (did you mean "mon"?)']),
    ('tue = ["9-17"]', ['calendar.hours.tue[0]: "9-17" is not an interval "HH:MM-HH:MM"']),
    (
        'tue = ["09:00 - 17:00"]',
        ['calendar.hours.tue[0]: "09:00 - 17:00" is not an interval "HH:MM-HH:MM"'],
    ),
    ("tue = [900]", ['calendar.hours.tue[0]: 900 is not an interval "HH:MM-HH:MM"']),
    (
        'tue = ["17:00-09:00"]',
        [
            'calendar.hours.tue[0]: "17:00-09:00": the start must come before the end '
            "(split it at midnight)"
        ],
    ),
    (
        'tue = ["09:00-09:00"]',
        [
            'calendar.hours.tue[0]: "09:00-09:00": the start must come before the end '
            "(split it at midnight)"
        ],
    ),
    *[
        (
            f'tue = ["{bad}"]',
            [f'calendar.hours.tue[0]: "{bad}" is not an interval of times of day (00:00 to 24:00)'],
        )
        for bad in ("25:00-26:00", "22:00-24:30", "24:00-24:00", "09:60-10:00", "09:00-10:75")
    ],
    ('tue = "09:00-17:00"', ["calendar.hours.tue: must be an array, not a string"]),
]


@pytest.mark.parametrize(("extra", "expected"), EXTRA_CASES)
def test_problems_name_their_key(extra, expected):
    assert list(problems(DOCUMENT + CALENDAR + extra + "\n")) == expected


DOCUMENT_CASES = [
    (
        'title = "T"\n',
        'titel = "T"\n',
        [
            'document.titel: unknown key (did you mean "title"?)',
            "document.title: required",
        ],
    ),
    ('title = "T"', 'title = ""', ["document.title: must not be empty"]),
    ('company = "C"\n', "", ["document.company: required"]),
    ('approved_by = "A"\n', "", ["document.approved_by: required"]),
    ("effective = 2026-01-01\n", "", ["document.effective: required"]),
    ('version = "1"', "version = 1.0", ["document.version: must be a string, not a float"]),
    ('version = "1"', "version = 2", ["document.version: must be a string, not an integer"]),
    ("2026-01-01", '"2026-13-01"', ['document.effective: "2026-13-01" is not a date (YYYY-MM-DD)']),
    (
        "2026-01-01",
        "2026-01-01T10:00:00",
        ["document.effective: 2026-01-01T10:00:00 is not a date (YYYY-MM-DD)"],
    ),
    ("2026-01-01", "10:00:00", ["document.effective: 10:00:00 is not a date (YYYY-MM-DD)"]),
    (
        'approved_by = "A"',
        'approved_by = "A"\nreview_every_months = 0',
        ["document.review_every_months: must be at least 1"],
    ),
    (
        'approved_by = "A"',
        'approved_by = "A"\nnumber = 1',
        ["document.number: must be a string, not an integer"],
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), DOCUMENT_CASES)
def test_document_problems(old, new, expected):
    assert old in DOCUMENT
    assert list(problems(DOCUMENT.replace(old, new) + CALENDAR)) == expected


CALENDAR_CASES = [
    (
        '"Europe/London"',
        '"Europe/Londn"',
        ['calendar.timezone: "Europe/Londn" is not a known IANA time zone'],
    ),
    ('"Europe/London"', '"Europe"', ['calendar.timezone: "Europe" is not a known IANA time zone']),
    (
        '"Europe/London"',
        '"../etc/passwd"',
        ['calendar.timezone: "../etc/passwd" is not a known IANA time zone'],
    ),
    ('"Europe/London"', "0", ["calendar.timezone: must be a string, not an integer"]),
    ('timezone = "Europe/London"\n', "", ["calendar.timezone: required"]),
    (
        '"fri"]',
        '"funday"]',
        ['calendar.working_days[4]: "funday" is not a weekday (mon, tue, wed, thu, fri, sat, sun)'],
    ),
    ('"fri"]', '"fri", "mon"]', ['calendar.working_days[5]: "mon" is listed twice']),
    (
        '["mon", "tue", "wed", "thu", "fri"]',
        '"mon"',
        ["calendar.working_days: must be an array, not a string"],
    ),
    (
        'working_days = ["mon", "tue", "wed", "thu", "fri"]\n',
        "",
        ["calendar.working_days: required"],
    ),
    ('[calendar.hours]\nmon = ["09:00-17:00"]\n', "", ["calendar.hours: required"]),
    (
        "[calendar.hours]",
        "hours = 1",
        ["calendar.mon: unknown key", "calendar.hours: must be a table, not an integer"],
    ),
    ("[calendar.hours]", 'region = "uk"\n[calendar.hours]', ["calendar.region: unknown key"]),
    (
        "[calendar.hours]",
        'holidays = "2026-12-25"\n[calendar.hours]',
        ["calendar.holidays: must be an array, not a string"],
    ),
    (
        "[calendar.hours]",
        'holidays = ["2026-02-30", 20261225, 2026-12-25T00:00:00, "20261227", "2026-W52-1"]\n'
        "[calendar.hours]",
        [
            'calendar.holidays[0]: "2026-02-30" is not a date (YYYY-MM-DD)',
            "calendar.holidays[1]: 20261225 is not a date (YYYY-MM-DD)",
            "calendar.holidays[2]: 2026-12-25T00:00:00 is not a date (YYYY-MM-DD)",
            'calendar.holidays[3]: "20261227" is not a date (YYYY-MM-DD)',
            'calendar.holidays[4]: "2026-W52-1" is not a date (YYYY-MM-DD)',
        ],
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CALENDAR_CASES)
def test_calendar_problems(old, new, expected):
    assert old in CALENDAR
    assert list(problems(DOCUMENT + CALENDAR.replace(old, new))) == expected


def test_missing_sections():
    assert problems(CALENDAR) == ("document: required",)
    assert problems(DOCUMENT) == ("calendar: required",)
    assert problems('document = "x"\n' + CALENDAR) == ("document: must be a table, not a string",)
    assert problems("") == ("document: required", "calendar: required")


def test_unknown_top_level_key():
    assert problems("polcy = 1\n" + DOCUMENT + CALENDAR) == ("polcy: unknown key",)


def test_a_toml_syntax_error_is_one_problem():
    found = problems(DOCUMENT + CALENDAR + "[channels.chat\n")
    assert len(found) == 1
    assert found[0].startswith("document: ")
    assert "line 12" in found[0]


def test_durations_the_calendar_cannot_serve():
    text = DOCUMENT + (
        '[calendar]\ntimezone = "UTC"\nworking_days = []\n[calendar.hours]\n'
        '[channels.chat]\nfirst_response = "1m"\n'
        '[complaints]\nacknowledge = "2wd"\nresolution = "0wd"\n'
        '[[escalation]]\nafter = "0s"\nnotify = "agent"\n'
    )
    assert problems(text) == (
        "calendar.hours: no service hours on any day, but service-time durations are set: "
        "channels.chat.first_response, escalation[0].after",
        "calendar.working_days: no working days, but working-day durations are set: "
        "complaints.acknowledge",
    )


def test_every_problem_is_reported_at_once():
    text = (
        DOCUMENT.replace('version = "1"\n', "")
        + CALENDAR.replace("Europe/London", "Europe/Londn").replace('"09:00-17:00"', '"9-5"')
        + '[channels.chat]\nfirts_response = "60s"\nresolution = "half an hour"\n'
        + '[[escalation]]\nafter = "1h"\nnotify = "boss"\n'
        + "[surveys]\nscale = 1\n"
    )
    assert problems(text) == (
        "document.version: required",
        'calendar.timezone: "Europe/Londn" is not a known IANA time zone',
        'calendar.hours.mon[0]: "9-5" is not an interval "HH:MM-HH:MM"',
        'channels.chat.firts_response: unknown key (did you mean "first_response"?)',
        'channels.chat.resolution: "half an hour" is not a duration',
        'escalation[0].notify: "boss" is not one of agent, supervisor, manager',
        "surveys.scale: must be at least 2",
    )


# -- files ------------------------------------------------------------------------------------


def test_an_unreadable_file(tmp_path):
    missing = tmp_path / "missing.toml"
    with pytest.raises(PolicyError) as info:
        load_policy_file(missing)
    assert info.value.problems == (f"{missing}: cannot read (No such file or directory)",)
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy_file(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(PolicyError, match=r"binary.toml: cannot read \(not UTF-8"):
        load_policy_file(binary)


def test_a_file_with_problems(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(DOCUMENT + CALENDAR + '[channels.chat]\nfirst_response = "60 seconds"\n')
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(path))
    assert info.value.problems == ('channels.chat.first_response: "60 seconds" is not a duration',)


def test_parse_policy_accepts_bytes():
    assert parse_policy((DOCUMENT + CALENDAR).encode()).document.title == "T"
