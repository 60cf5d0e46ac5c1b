"""Every key of the policy format names the service that keeps it (helpdesk/policy/keepers.py),
and a key that nothing keeps is refused when a new version is checked or published."""

import importlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from helpdesk.policy import PolicyError, parse_policy
from helpdesk.policy.document import _KEYS, accepted_keys, unkept_keys
from helpdesk.policy.keepers import KEEPERS, UNKEPT, Keeper, keeper_of
from tests.policy.support import CALENDAR, DOCUMENT, PROJECT_COPY, ROOT

ACCEPTED = accepted_keys()


def resolve(dotted: str):
    """The object at a dotted path `package.module.attribute`, imported as Django would."""
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_key_the_reader_accepts_has_a_keeper():
    missing = [key for key in ACCEPTED if keeper_of(key) is None]
    assert not missing, f"no row in helpdesk/policy/keepers.py for: {', '.join(missing)}"


def test_every_row_is_a_key_the_reader_accepts():
    stale = sorted(set(KEEPERS) - set(ACCEPTED))
    assert not stale, f"rows for keys the format does not have: {', '.join(stale)}"


def test_accepted_keys_cover_every_section_the_reader_knows():
    sections = {key.split(".")[0].removesuffix("[]") for key in ACCEPTED}
    assert sections == set(_KEYS[""])


@pytest.mark.parametrize("key", sorted({row.keeper for row in KEEPERS.values() if row.keeper}))
def test_every_keeper_is_a_callable_service(key):
    try:
        found = resolve(key)
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{key} does not resolve: {error}")
    assert callable(found), f"{key} is not callable"


def test_every_row_says_how_in_one_line():
    for key, row in KEEPERS.items():
        assert isinstance(row, Keeper)
        assert row.how.strip() and "\n" not in row.how, key
        assert len(row.how) <= 160, key


def test_the_documented_table_is_the_keepers_table():
    # docs/policy-format.md, "How every key is kept": one row per key, in the reader's order.
    text = (ROOT / "docs" / "policy-format.md").read_text()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    expected = []
    for key in ACCEPTED:
        row = KEEPERS[key]
        keeper = f"`{row.keeper}`" if row.keeper else "nothing yet: `policy check` refuses it"
        expected.append(f"| `{key}` | {keeper} | {row.how} |")
    assert rows[-len(expected) :] == expected


def test_the_reference_policy_promises_only_what_is_kept():
    text = PROJECT_COPY.read_text()
    assert parse_policy(text, kept_only=True) == parse_policy(text)


# -- a key that no service keeps --------------------------------------------------------------


def test_unkept_keys_finds_each_place_a_pattern_matches():
    data = {
        "channels": {
            "phone": {"answer": "20s", "priority": {"high": {"answer": "5s"}, "low": {}}},
            "email": {"acknowledge": "0s"},
        },
        "escalation": [{"after": "0s"}, {"notify": "manager"}, {"after": "1h"}],
        "calendars": {"us": {"hours": {}}, "eu": {"timezone": "UTC"}},
    }
    assert unkept_keys(
        data,
        [
            "channels.phone.answer",
            "channels.phone.priority.*.answer",
            "escalation[].after",
            "calendars.*.hours",
            "channels.chat.greeting",
        ],
    ) == [
        "channels.phone.answer",
        "channels.phone.priority.high.answer",
        "escalation[0].after",
        "escalation[2].after",
        "calendars.us.hours",
    ]


def test_unkept_keys_ignores_values_of_the_wrong_shape():
    data = {"channels": "x", "escalation": {"after": "0s"}, "calendars": {"us": 3}}
    assert unkept_keys(data, ["channels.phone.answer", "escalation[].after", "calendars.*.x"]) == []


@pytest.mark.parametrize("key", sorted(UNKEPT))
def test_a_key_nothing_keeps_is_refused_by_policy_check_and_kept_only(tmp_path, key):
    # A document setting the key (any channel or level name for `*`), valid otherwise.
    concrete = key.replace("*", "high")
    table, _, leaf = concrete.rpartition(".")
    text = DOCUMENT + CALENDAR + f'[{table}]\n{leaf} = "20s"\n'
    parse_policy(text)  # the format has it: a published version with it still reads
    with pytest.raises(PolicyError) as info:
        parse_policy(text, kept_only=True)
    assert info.value.problems == (f"{concrete}: no service keeps this key yet; leave it out",)

    path = tmp_path / "policy.toml"
    path.write_text(text)
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("policy", "check", str(path), stdout=out, stderr=StringIO())
    assert out.getvalue() == f"{concrete}: no service keeps this key yet; leave it out\n"
    assert str(raised.value) == f"{path}: not valid (1 problem)"


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(UNKEPT))
def test_publishing_refuses_a_key_nothing_keeps(key):
    from helpdesk.models import PolicyVersion
    from helpdesk.services.policy import publish_policy_version

    concrete = key.replace("*", "high")
    table, _, leaf = concrete.rpartition(".")
    document = DOCUMENT + CALENDAR + f'[{table}]\n{leaf} = "20s"\n'
    with pytest.raises(PolicyError) as info:
        publish_policy_version(document=document, approved_by="Jo", change_note="answer calls")
    assert info.value.problems == (f"{concrete}: no service keeps this key yet; leave it out",)
    assert not PolicyVersion.objects.exists()
