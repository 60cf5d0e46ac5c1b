"""The core's real-time edge (`helpdesk.realtime`): the apps' group names can never collide,
and a send after commit never breaks the request that caused it."""

import pytest
from channels.layers import channel_layers
from django.apps import apps
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from chat.services import events as chat_events
from chat.services.invitations import visit_group
from helpdesk.realtime import AppGroups, claimed_app_labels, group_send_on_commit
from tickets import visibility as ticket_groups

IDS = (1, 2, 7, 42, 1000)


def tickets_names(i: int) -> set[str]:
    return {
        ticket_groups.DESK_GROUP,
        ticket_groups.ALL_TEAMS_GROUP,
        ticket_groups.team_group(i),
        ticket_groups.agent_group(i),
        ticket_groups.ticket_group(i),
    }


def chat_names(i: int) -> set[str]:
    return {
        chat_events.DESK_GROUP,
        chat_events.chat_group(i),
        chat_events.agent_group(i),
        visit_group(i),
    }


def test_the_desk_and_the_chat_console_of_one_agent_listen_to_different_groups():
    for user_id in IDS:
        assert ticket_groups.agent_group(user_id) != chat_events.agent_group(user_id)
        assert ticket_groups.agent_group(user_id).startswith("tickets.")
        assert chat_events.agent_group(user_id).startswith("chat.")


def test_no_group_of_the_tickets_app_is_a_group_of_the_chat_app():
    tickets = set().union(*(tickets_names(i) for i in IDS))
    chat = set().union(*(chat_names(i) for i in IDS))
    assert tickets.isdisjoint(chat)
    assert all(name.startswith("tickets.") for name in tickets)
    assert all(name.startswith("chat.") for name in chat)


def test_every_app_that_names_groups_names_them_under_its_own_label():
    assert {"chat", "tickets"} <= set(claimed_app_labels())
    for label in claimed_app_labels():
        apps.get_app_config(label)  # an installed app (LookupError if not)


part = st.one_of(
    st.integers(min_value=0, max_value=10**9),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCZ0123456789_-", min_size=1, max_size=12),
)


@given(
    st.lists(part, min_size=1, max_size=4),
    st.lists(part, min_size=1, max_size=4),
)
def test_two_apps_never_build_the_same_name_whatever_the_parts(parts_a, parts_b):
    assert AppGroups("tickets").name(*parts_a) != AppGroups("chat").name(*parts_b)


@pytest.mark.parametrize("parts", [(), ("",), ("agent.7",), ("a b",), ("x" * 120,), ("é",)])
def test_a_part_that_could_blur_the_namespace_is_refused(parts):
    with pytest.raises(ValueError):
        AppGroups("chat").name(*parts)


@pytest.mark.parametrize("label", ["", "chat.agent", "Chat", "desk-x"])
def test_a_namespace_that_is_not_an_app_label_is_refused(label):
    with pytest.raises(ValueError):
        AppGroups(label)


@pytest.fixture
def dead_channel_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens there
        }
    }
    channel_layers.backends.pop("default", None)
    yield
    channel_layers.backends.pop("default", None)


@pytest.mark.django_db
def test_a_channel_layer_outage_never_breaks_the_request(
    dead_channel_layer, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        group_send_on_commit(["tickets.desk"], {"type": "ticket.created", "ticket_id": 1})
        assert "not sent" not in caplog.text  # nothing goes before the commit

    assert len(callbacks) == 1
    assert "real-time event ticket.created not sent to ('tickets.desk',)" in caplog.text
