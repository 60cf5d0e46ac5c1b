"""A supervisor follows a chat live from the console and takes it over, through the real socket
and the Redis channel layer: `watch` sends the chat's card and, from then on, every line of it
(read-only: the watcher cannot write); `take_over` makes it theirs, the customer sees who
joined, the old agent's console is told and the chat leaves it. An agent watches no other
agent's chat."""

import pytest
from channels.db import database_sync_to_async

from chat import services
from chat.models import ChatSession
from helpdesk.models import Role
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import (  # noqa: F401 (redis_layer is a fixture)
    agent_socket,
    customer,
    redis_layer,
    run,
    until,
)
from tests.helpdesk.factories import TeamFactory

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("redis_layer")]


@pytest.fixture
def people():
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    support = TeamFactory(name="Support")
    sam = make_agent("sam", team=support, role=Role.SUPERVISOR)
    ann = make_agent("ann", team=support, supervisor=sam)
    olga = make_agent("olga", team=support)
    chat = services.start_chat(name="Cat", email="cat@example.org", team=support)
    services.accept_chat(session_id=chat.pk, agent=ann)
    return {"sam": sam, "ann": ann, "olga": olga, "chat": ChatSession.objects.get(pk=chat.pk)}


def test_a_supervisor_watches_live_then_takes_over(people):
    chat, sam, ann = people["chat"], people["sam"], people["ann"]

    async def scenario():
        cust, agent, boss = customer(chat), agent_socket(ann), agent_socket(sam)
        for socket in (cust, agent, boss):
            assert (await socket.connect())[0]
            await until(socket, "hello")
        await database_sync_to_async(services.escalate_chat)(
            session_id=chat.pk, by=ann, notes="Refund above my limit"
        )
        escalated = await until(boss, "escalated", session=chat.pk)
        assert (escalated["by"], escalated["notes"]) == ("Ann", "Refund above my limit")
        later = agent_socket(sam)  # a console opened later lists it too
        assert (await later.connect())[0]
        hello = await until(later, "hello")
        assert hello["escalations"] == [
            {"session": chat.pk, "by": "Ann", "notes": "Refund above my limit"}
        ]
        await later.disconnect()

        await boss.send_json_to({"type": "watch", "session": chat.pk})
        watching = await until(boss, "watching", session=chat.pk)
        assert watching["chat"]["agent"] == "Ann"
        assert watching["chat"]["escalation_notes"] == "Refund above my limit"

        await cust.send_json_to({"type": "message", "text": "Any news?", "client_id": "c1"})
        line = await until(boss, "message", session=chat.pk, sender="customer")
        assert line["text"] == "Any news?"

        # Watching is read-only: a line from the watcher is refused.
        await boss.send_json_to(
            {"type": "message", "session": chat.pk, "text": "Hi", "client_id": "s1"}
        )
        assert (await until(boss, "error"))["code"] == "forbidden"

        await boss.send_json_to({"type": "take_over", "session": chat.pk})
        assigned = await until(boss, "assigned", session=chat.pk)
        assert assigned["chat"]["session"] == chat.pk
        told = await until(agent, "taken_over", session=chat.pk)
        assert told["by"] == "Sam"
        await until(agent, "unassigned", session=chat.pk)
        joined = await until(cust, "message", sender="system")
        while "has joined" not in joined["text"]:
            joined = await until(cust, "message", sender="system")
        assert joined["text"].startswith("Sam, a supervisor, has joined the chat")

        await boss.send_json_to(
            {"type": "message", "session": chat.pk, "text": "I can help.", "client_id": "s2"}
        )
        assert (await until(cust, "message", sender="agent"))["text"] == "I can help."
        for socket in (cust, agent, boss):
            await socket.disconnect()

    run(scenario)
    assert ChatSession.objects.get(pk=chat.pk).agent == sam


def test_an_agent_watches_no_other_agent_s_chat(people):
    chat, olga = people["chat"], people["olga"]

    async def scenario():
        desk, cust = agent_socket(olga), customer(chat)
        assert (await desk.connect())[0]
        await until(desk, "hello")
        await desk.send_json_to({"type": "watch", "session": chat.pk})
        refused = await until(desk, "error")
        assert refused["code"] == "forbidden"
        assert (await cust.connect())[0]
        await cust.send_json_to({"type": "message", "text": "Secret plans", "client_id": "c1"})
        await until(cust, "ack")
        # Nothing of the chat reaches Olga: her next event is her own sentinel's answer.
        await desk.send_json_to({"type": "nothing-at-all"})
        event = await desk.receive_json_from(timeout=5)
        while event["type"] in ("presence", "visitor", "queue"):
            event = await desk.receive_json_from(timeout=5)
        assert event["type"] == "error" and "nothing-at-all" in event["detail"]
        await desk.disconnect()
        await cust.disconnect()

    run(scenario)


def test_watch_an_unknown_chat(people):
    async def scenario():
        desk = agent_socket(people["sam"])
        assert (await desk.connect())[0]
        await until(desk, "hello")
        await desk.send_json_to({"type": "watch", "session": 999999})
        assert (await until(desk, "error"))["code"] == "invalid"
        await desk.send_json_to({"type": "watch", "session": 10**40})  # past any id
        assert (await until(desk, "error"))["code"] == "invalid"
        await desk.send_json_to({"type": "watch", "session": "x"})
        assert (await until(desk, "error"))["code"] == "forbidden"  # as every frame
        await desk.disconnect()

    run(scenario)
