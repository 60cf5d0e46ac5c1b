"""Messages through the WebSocket consumers on the Redis pub/sub channel layer (the default in
settings): both ends writing at once see every line once, in the order of their numbers, each
sender gets its ack, and a line sent again after a drop is acknowledged as a duplicate."""

import uuid

import pytest
import redis
from channels.layers import channel_layers
from django.conf import settings
from django.test import override_settings

from chat import services
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import agent_socket, customer, run, until

pytestmark = pytest.mark.integration

LINES = 15


@pytest.fixture
def pubsub_chat(transactional_db):
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {settings.REDIS_URL} is not reachable ({exc}); `make test` runs one")
    layers = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"t{uuid.uuid4().hex[:10]}"},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers, CHAT_RATE_LIMIT=100):
        channel_layers.backends.clear()
        publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
        agent = make_agent("alex")
        chat = services.start_chat(name="Ann Smith", email="ann@example.org")
        services.accept_chat(session_id=chat.pk, agent=agent)  # seq 1: "Alex joined"
        yield agent, chat
        channel_layers.backends.clear()


def test_both_ends_writing_at_once_see_every_line_once_in_order(pubsub_chat):
    agent, chat = pubsub_chat

    async def scenario():
        cust, desk = customer(chat), agent_socket(agent)
        await cust.connect()
        await until(cust, "hello")
        await desk.connect()
        await until(desk, "hello")
        for i in range(LINES):  # sent without waiting: the two sockets' lines interleave
            await cust.send_json_to({"type": "message", "text": f"c{i}", "client_id": f"c{i}"})
            await desk.send_json_to({"type": "message", "session": chat.pk, "text": f"a{i}"})
        for socket in (cust, desk):
            seen, acks = [], 0
            while len(seen) < 2 * LINES or acks < LINES:
                event = await socket.receive_json_from(timeout=5)
                if event["type"] == "message":
                    seen.append(event["seq"])
                elif event["type"] == "ack":
                    acks += 1
                    assert event["duplicate"] is False
            assert seen == list(range(2, 2 + 2 * LINES))  # every line once, in order
        await cust.send_json_to({"type": "message", "text": "again", "client_id": "c3"})
        repeat = await until(cust, "ack")
        assert repeat["duplicate"] is True
        assert await cust.receive_nothing(timeout=0.3)  # nothing broadcast for a duplicate
        await cust.disconnect()
        await desk.disconnect()

    run(scenario)
    assert list(chat.messages.values_list("seq", flat=True)) == list(range(1, 2 + 2 * LINES))
