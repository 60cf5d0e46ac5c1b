"""The WebSocket protocol through Channels' WebsocketCommunicator against the real Redis
channel layer (REDIS_URL): customer and agent talk, reconnection resumes without loss or
duplicates, sensitive numbers never reach the wire, strangers are refused."""

import threading
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections
from django.test import override_settings

from chat import services
from chat.models import ChatSession, ChatStatus
from chat.redaction import MASKS
from chat.routing import websocket_urlpatterns
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.helpdesk.factories import CustomerFactory

pytestmark = pytest.mark.integration

APP = URLRouter(websocket_urlpatterns)
TIMEOUT = 5


@pytest.fixture
def redis_layer(transactional_db):
    """The Redis channel layer under a prefix of this test's own, flushed after."""
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {settings.REDIS_URL} is not reachable ({exc}); `make test` runs one")
    prefix = f"t{uuid.uuid4().hex[:10]}"
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": prefix},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        channel_layers.backends.clear()
        yield
        channel_layers.backends.clear()
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def setup(redis_layer):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    agent = make_agent("alex")
    chat = services.start_chat(name="Ann Smith", email="ann@example.org", question="Where is it?")
    return agent, chat


def customer(chat) -> WebsocketCommunicator:
    return WebsocketCommunicator(APP, f"/ws/chat/{services.token_for(chat)}/")


def agent_socket(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(APP, "/ws/desk/chat/")
    communicator.scope["user"] = user
    return communicator


async def until(comm, kind: str, **match) -> dict:
    """The next event of `kind` (and matching fields), skipping others."""
    while True:
        event = await comm.receive_json_from(timeout=TIMEOUT)
        if event["type"] == kind and all(event.get(k) == v for k, v in match.items()):
            return event


def run(coro_fn):
    """Run the scenario in a thread of its own: the session's Playwright browser (browser tests)
    keeps an event loop running in the main thread, where async_to_sync refuses to run. The
    scenario's database calls run in that thread, on a connection closed at its end."""
    outcome: list = []

    def target():
        try:
            async_to_sync(coro_fn)()
            outcome.append(None)
        except BaseException as error:  # noqa: BLE001 - raised again in the test's thread
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    assert outcome, "the scenario did not finish in 60 s"
    if outcome[0] is not None:
        raise outcome[0]


def test_customer_and_agent_exchange_messages(setup):
    agent, chat = setup

    async def scenario():
        cust, desk = customer(chat), agent_socket(agent)
        assert (await cust.connect())[0]
        hello = await cust.receive_json_from(timeout=TIMEOUT)
        assert (hello["type"], hello["status"], hello["last_seq"]) == ("hello", "waiting", 1)
        assert (hello["position"], hello["expected_wait"]) == (1, 60)
        assert (await desk.connect())[0]
        hello = await desk.receive_json_from(timeout=TIMEOUT)
        assert [q["session"] for q in hello["queue"]] == [chat.pk]

        await desk.send_json_to({"type": "accept", "session": chat.pk})
        assigned = await until(desk, "assigned", session=chat.pk)
        assert assigned["chat"]["greeting"].startswith("Hi Ann,")
        status = await until(cust, "status")
        assert (status["status"], status["agent"]) == ("active", "Alex")

        await desk.send_json_to(
            {"type": "message", "session": chat.pk, "text": "Hi Ann!", "client_id": "a1"}
        )
        ack = await until(desk, "ack")
        assert (ack["client_id"], ack["duplicate"]) == ("a1", False)
        got = await until(cust, "message", sender="agent")
        assert (got["text"], got["author"], got["seq"]) == ("Hi Ann!", "Alex", ack["seq"])

        await cust.send_json_to({"type": "typing", "typing": True})
        typing = await until(desk, "typing")
        assert (typing["sender"], typing["session"]) == ("customer", chat.pk)
        await cust.send_json_to({"type": "message", "text": "<b>thanks</b>", "client_id": "c1"})
        got = await until(desk, "message", sender="customer")
        assert got["text"] == "<b>thanks</b>"  # sent as text: clients render it as text

        await desk.send_json_to({"type": "close", "session": chat.pk, "summary": "Found it"})
        confirm = await until(cust, "confirm")
        assert confirm["summary"] == "Found it"
        await cust.send_json_to({"type": "confirm", "resolved": True})
        assert (await until(cust, "status", status="closed"))["session"] == chat.pk
        await until(desk, "status", status="closed")
        await cust.disconnect()
        await desk.disconnect()

    run(scenario)
    chat.refresh_from_db()
    assert (chat.status, chat.customer_confirmed_resolved) == (ChatStatus.CLOSED, True)


def test_reconnection_resumes_without_loss_or_duplicates(setup):
    agent, chat = setup
    services.accept_chat(session_id=chat.pk, agent=agent)

    async def scenario():
        cust = customer(chat)
        await cust.connect()
        await until(cust, "hello")
        await cust.send_json_to({"type": "resume", "after_seq": 0})
        seen = [(await until(cust, "message"))["seq"] for _ in range(2)]
        assert seen == [1, 2]
        assert (await until(cust, "resumed"))["last_seq"] == 2
        await cust.disconnect()  # the network drops ...

        for i in range(3):  # ... while the agent writes
            await database_sync(services.agent_says, session_id=chat.pk, agent=agent, text=f"{i}")

        again = customer(chat)
        await again.connect()
        assert (await until(again, "hello"))["last_seq"] == 5
        await again.send_json_to({"type": "resume", "after_seq": 2})
        missed = [await until(again, "message") for _ in range(3)]
        assert [(m["seq"], m["text"]) for m in missed] == [(3, "0"), (4, "1"), (5, "2")]
        assert (await until(again, "resumed"))["last_seq"] == 5
        # A message sent again after a drop (same client_id) is stored and shown once. The
        # next message marks the end: a second "hi" would have been broadcast before it.
        await again.send_json_to({"type": "message", "text": "hi", "client_id": "x"})
        await again.send_json_to({"type": "message", "text": "hi", "client_id": "x"})
        await again.send_json_to({"type": "message", "text": "bye", "client_id": "y"})
        events = [await again.receive_json_from(timeout=TIMEOUT)]
        while (events[-1]["type"], events[-1].get("text")) != ("message", "bye"):
            events.append(await again.receive_json_from(timeout=TIMEOUT))
        acks = [(e["client_id"], e["seq"], e["duplicate"]) for e in events if e["type"] == "ack"]
        assert acks[:2] == [("x", 6, False), ("x", 6, True)]
        shown = [(e["seq"], e["text"]) for e in events if e["type"] == "message"]
        assert shown == [(6, "hi"), (7, "bye")]
        await again.disconnect()

    run(scenario)
    assert list(chat.messages.values_list("seq", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


async def database_sync(func, **kwargs):
    from channels.db import database_sync_to_async

    return await database_sync_to_async(func)(**kwargs)


def test_a_card_number_is_masked_before_it_is_broadcast(setup):
    agent, chat = setup
    services.accept_chat(session_id=chat.pk, agent=agent)

    async def scenario():
        cust, desk = customer(chat), agent_socket(agent)
        await cust.connect()
        await desk.connect()
        await until(desk, "hello")
        await cust.send_json_to({"type": "message", "text": "my card 4111-1111-1111-1111"})
        seen = await until(desk, "message", sender="customer")
        assert seen["text"] == f"my card {MASKS['card']}"
        warning = await until(cust, "message", sender="system")
        assert "secure form" in warning["text"]
        await cust.disconnect()
        await desk.disconnect()

    run(scenario)


def test_bad_tokens_strangers_and_customers_on_the_desk_are_refused(setup):
    agent, chat = setup
    stranger = CustomerFactory()
    other = ChatSession.objects.create(customer=stranger, policy_version=chat.policy_version)

    async def scenario():
        forged = WebsocketCommunicator(APP, f"/ws/chat/{services.token_for(other)[:-3]}abc/")
        assert (await forged.connect())[0] is False
        raw_key = WebsocketCommunicator(APP, f"/ws/chat/{chat.key}/")
        assert (await raw_key.connect())[0] is False
        anonymous = WebsocketCommunicator(APP, "/ws/desk/chat/")
        anonymous.scope["user"] = AnonymousUser()
        assert (await anonymous.connect())[0] is False
        # The customer of one chat gets only that chat's events.
        cust = customer(other)
        await cust.connect()
        await until(cust, "hello")
        await database_sync(services.customer_says, session_id=chat.pk, text="not for you")
        assert await cust.receive_nothing(timeout=0.5)
        await cust.disconnect()

    run(scenario)


def test_oversized_frames_bad_json_and_rate_limit_get_errors(setup):
    agent, chat = setup

    async def scenario():
        cust = customer(chat)
        await cust.connect()
        await until(cust, "hello")
        await cust.send_to(text_data="x" * (settings.CHAT_MAX_FRAME_BYTES + 1))
        assert (await until(cust, "error"))["code"] == "too_large"
        await cust.send_to(text_data="{not json")
        assert (await until(cust, "error"))["code"] == "invalid"
        await cust.send_json_to({"type": "message", "text": "y" * 2001})
        assert (await until(cust, "error"))["code"] == "invalid"
        with override_settings(CHAT_RATE_LIMIT=2):
            await cust.send_json_to({"type": "message", "text": "one"})  # the question + this
            await until(cust, "ack")
            await cust.send_json_to({"type": "message", "text": "two"})
            assert (await until(cust, "error"))["code"] == "rate_limited"
        await cust.disconnect()

    run(scenario)


def test_an_agent_cannot_write_in_or_read_another_agent_s_chat(setup):
    agent, chat = setup
    services.accept_chat(session_id=chat.pk, agent=agent)
    intruder = make_agent("ivan")

    async def scenario():
        desk = agent_socket(intruder)
        await desk.connect()
        await until(desk, "hello")
        await desk.send_json_to({"type": "message", "session": chat.pk, "text": "hello"})
        assert (await until(desk, "error"))["code"] == "forbidden"
        await desk.send_json_to({"type": "resume", "session": chat.pk, "after_seq": 0})
        assert (await until(desk, "error"))["code"] == "forbidden"
        await desk.disconnect()

    run(scenario)
