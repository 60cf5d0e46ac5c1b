"""The customer's presence over the real protocol (Channels' communicator, the Redis channel
layer): the socket and its heartbeat keep a waiting chat's customer seen, closing the socket
alone ends nothing (a reload resumes), and a chat whose customer is gone leaves every console's
queue at once, tells the customer's other tabs, and cannot be taken."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings
from django.utils import timezone

from chat import services
from chat.models import ChatSession, ChatStatus
from chat.services.abandonment import abandoned_chats, sweep_abandoned_chats
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import (  # noqa: F401 - redis_layer is a fixture
    TIMEOUT,
    agent_socket,
    customer,
    redis_layer,
    run,
    until,
)

pytestmark = pytest.mark.integration

LONG_AGO = timedelta(minutes=10)


@pytest.fixture
def setup(redis_layer):  # noqa: F811 - the imported fixture
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    agent = make_agent("alex")
    chat = services.start_chat(name="Ann Smith", email="ann@example.org", question="Where is it?")
    return agent, chat


def seen_at(chat):
    return ChatSession.objects.values_list("customer_seen_at", flat=True).get(pk=chat.pk)


def forget_seen(chat):
    """As if the customer had last been heard from long ago."""
    ChatSession.objects.filter(pk=chat.pk).update(customer_seen_at=timezone.now() - LONG_AGO)


@override_settings(CHAT_HEARTBEAT_SECONDS=0)  # every beat is written: no waiting in a test
def test_the_widget_socket_and_its_heartbeat_keep_the_customer_here(setup):
    _, chat = setup
    forget_seen(chat)

    async def scenario():
        cust = customer(chat)
        assert (await cust.connect())[0]
        hello = await until(cust, "hello")
        assert hello["heartbeat"] == 0 and hello["status"] == "waiting"
        connected = await database_sync_to_async(seen_at)(chat)
        assert connected > timezone.now() - timedelta(seconds=30)  # connecting is being here

        await database_sync_to_async(forget_seen)(chat)
        await cust.send_json_to({"type": "heartbeat"})
        await cust.send_json_to({"type": "resume", "after_seq": 99})  # a reply: the beat is done
        await until(cust, "resumed")
        assert await database_sync_to_async(seen_at)(chat) > connected - timedelta(seconds=1)
        await cust.disconnect()

    run(scenario)
    assert not abandoned_chats(now=timezone.now()).exists()


def test_closing_the_socket_alone_ends_nothing_and_a_reload_resumes(setup):
    _, chat = setup

    async def scenario():
        first = customer(chat)
        assert (await first.connect())[0]
        await until(first, "hello")
        await first.disconnect()  # the page reloads

        again = customer(chat)
        assert (await again.connect())[0]
        hello = await until(again, "hello")
        assert (hello["status"], hello["last_seq"]) == ("waiting", 1)
        await again.disconnect()

    run(scenario)
    assert ChatSession.objects.get(pk=chat.pk).status == ChatStatus.WAITING


@override_settings(CHAT_ABANDON_AFTER_SECONDS=90)
def test_a_gone_customer_s_chat_leaves_the_queue_at_once_and_cannot_be_taken(setup):
    agent, chat = setup

    async def scenario():
        desk = agent_socket(agent)
        assert (await desk.connect())[0]
        hello = await until(desk, "hello")
        assert [q["session"] for q in hello["queue"]] == [chat.pk]
        tab = customer(chat)  # a tab left open elsewhere is told the chat ended
        assert (await tab.connect())[0]
        await until(tab, "hello")

        later = timezone.now() + timedelta(minutes=5)  # nobody heard from the customer since
        assert await database_sync_to_async(sweep_abandoned_chats)(now=later) == 1

        gone = await until(desk, "queue", session=chat.pk)
        assert gone["action"] == "abandoned"
        ended = await until(tab, "status", session=chat.pk)
        assert (ended["status"], ended["reason"]) == ("missed", "abandoned")

        await desk.send_json_to({"type": "accept", "session": chat.pk})
        refused = await until(desk, "error")
        assert refused["code"] == "closed"
        assert "left before anyone answered" in refused["detail"]
        await tab.disconnect()
        await desk.disconnect()

    run(scenario)
    ended = ChatSession.objects.get(pk=chat.pk)
    assert (ended.status, ended.end_reason, ended.agent) == ("missed", "abandoned", None)
