"""Reading and validating a policy document (POLICY.md, "Sections")."""

import json
import pickle
from dataclasses import FrozenInstanceError, replace
from datetime import UTC, date, datetime

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
from tests.policy.support import CALENDAR, DOCUMENT, LONDON, PROJECT_COPY, SHARED


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
    # The project's copy is the shared reference plus its extension, surveys.follow_up; every
    # key of the reference keeps its meaning.
    without_extensions = replace(reference, surveys=replace(reference.surveys, follow_up=None))
    assert load_policy_file(SHARED) == without_extensions
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
        "surveys.follow_up": parse_duration("2wd"),
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
    # Format version 2 adds policy.review (the document's own) and phone.answer.
    assert TARGETS == (
        "policy.review",
        "chat.acknowledge",
        "chat.first_response",
        "chat.resolution",
        "email.acknowledge",
        "email.first_response",
        "email.resolution",
        "phone.acknowledge",
        "phone.first_response",
        "phone.resolution",
        "phone.answer",
        "complaints.acknowledge",
        "complaints.resolution",
        "surveys.follow_up",
    )


def test_an_unknown_target(reference):
    with pytest.raises(UnknownTarget) as info:
        reference.deadline("chat.foo", datetime(2026, 6, 1, tzinfo=UTC))
    assert str(info.value) == (
        'unknown target "chat.foo"; known: chat.first_response, chat.resolution, '
        "email.acknowledge, email.first_response, email.resolution, phone.first_response, "
        "phone.resolution, complaints.acknowledge, complaints.resolution, surveys.follow_up"
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
