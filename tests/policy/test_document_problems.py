"""Every problem in a policy document is reported at once, with its key path."""

import pytest

from helpdesk.policy import (
    ServicePolicy,
    load_policy_file,
)
from tests.policy.support import CALENDAR, DOCUMENT, PROJECT_COPY, problems


@pytest.fixture(scope="module")
def reference() -> ServicePolicy:
    return load_policy_file(PROJECT_COPY)


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
