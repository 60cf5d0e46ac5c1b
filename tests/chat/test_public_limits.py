"""The public side of chat is not a relay: chats started, messages left, secure-form posts and
typing frames are rate-limited by one limiter counting in the real Redis (so the limit holds
across server processes: two Daphne processes are tested), transcripts are emailed once per
chat and a few times a day per address, and a body too deep to parse is a 400, not a 500."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.core import mail

from chat import services
from chat.models import ChatSession, Visit
from chat.routing import websocket_urlpatterns
from chat.visitor_consumer import BEATS_PER_INTERVAL
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import make_agent, policy_text
from tests.chat.test_consumers import agent_socket, customer, redis_layer, until  # noqa: F401
from tests.support.servers import asgi_server

DEEP = "[" * 5000 + "]" * 5000


def start(client, n: int = 0, address: str = "10.0.0.1"):
    data = {"name": f"Visitor {n}", "email": f"v{n}@example.org", "question": "Hello"}
    return client.post("/chat/start/", data, content_type="application/json", REMOTE_ADDR=address)


def test_chats_started_from_one_address_are_limited(client, policy, settings):
    settings.CHAT_START_RATE = "3/10min"
    codes = [start(client, n).status_code for n in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    refused = start(client, 9)
    body = refused.json()
    assert body["error"] == "rate_limited" and "try again in" in body["detail"]
    assert 0 < int(refused["Retry-After"]) <= 600
    assert ChatSession.objects.count() == 3
    assert start(client, 10, address="10.0.0.2").status_code == 201  # another address


def test_messages_left_from_one_address_are_limited(client, policy, settings):
    settings.CHAT_LEAVE_MESSAGE_RATE = "2/10min"
    data = {"name": "Ann", "email": "ann@example.org", "text": "Please call"}
    codes = [
        client.post("/chat/message/", data, content_type="application/json").status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 429, 429]
    assert "Retry-After" in client.post("/chat/message/", data, content_type="application/json")


@pytest.mark.parametrize("path", ["/chat/start/", "/chat/message/"])
def test_too_deep_json_is_a_400_with_a_message(client, policy, path):
    response = client.post(path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    not_an_object = client.post(path, "[1, 2]", content_type="application/json")
    assert not_an_object.status_code == 400


def test_secure_form_posts_are_limited(client, chat, settings):
    settings.CHAT_SECURE_FORM_RATE = "2/10min"
    url = f"/chat/secure/{services.token_for(chat)}/"
    codes = [
        client.post(url, {"label": "Card", "value": "4111 1111 1111 1111"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    assert chat.secure_details.count() == 2


def test_a_transcript_is_emailed_once_per_chat(
    chat, celery_eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_transcript(session_id=chat.pk)
    with pytest.raises(services.RateLimited), django_capture_on_commit_callbacks(execute=True):
        services.request_transcript(session_id=chat.pk)
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]


def test_transcripts_to_one_address_are_capped_per_day(
    policy, team, settings, celery_eager, django_capture_on_commit_callbacks
):
    settings.CHAT_TRANSCRIPT_RATE_PER_ADDRESS = "2/day"
    chats = [
        services.start_chat(name="Anyone", email="Victim@Example.org", question=f"Hi {n}")
        for n in range(3)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.request_transcript(session_id=chats[0].pk)
        services.request_transcript(session_id=chats[1].pk)
    with pytest.raises(services.RateLimited, match="as many transcripts"):
        services.request_transcript(session_id=chats[2].pk)
    assert len(mail.outbox) == 2
    # Refused by the daily cap, the chat is not marked as sent.
    assert ChatSession.objects.get(pk=chats[2].pk).transcript_requested_at is None


@pytest.mark.integration
def test_typing_frames_past_the_rate_are_dropped_and_the_chat_goes_on(redis_layer, settings):  # noqa: F811
    settings.CHAT_TYPING_RATE = "3/10min"
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    agent = make_agent("alex")
    chat = services.start_chat(name="Ann Smith", email="ann@example.org", question="Hi")
    services.accept_chat(session_id=chat.pk, agent=agent)

    async def run():
        desk, cust = agent_socket(agent), customer(chat)
        assert (await desk.connect())[0] and (await cust.connect())[0]
        await until(desk, "hello")
        await until(cust, "hello")
        for _ in range(10):
            await cust.send_json_to({"type": "typing", "typing": True})
        await cust.send_json_to({"type": "message", "text": "still here", "client_id": "c1"})
        assert (await until(cust, "ack"))["client_id"] == "c1"  # not disconnected
        seen = []
        while True:
            event = await desk.receive_json_from(timeout=5)
            if event["type"] == "message" and event.get("text") == "still here":
                break
            seen.append(event["type"])
        await desk.disconnect()
        await cust.disconnect()
        return seen

    assert async_to_sync(run)().count("typing") == 3


@pytest.fixture
def open_policy(transactional_db):
    return publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")


@pytest.mark.integration
def test_chat_starts_from_one_address_across_two_servers_get_exactly_the_rate(
    open_policy, tmp_path
):
    rate, attempts = 7, 40
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    env = {"CHAT_START_RATE": f"{rate}/hour"}
    with asgi_server(tmp_path / "a", **env) as first, asgi_server(tmp_path / "b", **env) as second:

        def post(n: int) -> int:
            url = f"{(first, second)[n % 2]}/chat/start/"
            data = {"name": f"V {n}", "email": f"v{n}@example.org", "question": "Hi"}
            return requests.post(url, json=data, timeout=60).status_code

        with ThreadPoolExecutor(max_workers=16) as pool:
            codes = list(pool.map(post, range(attempts)))
    assert codes.count(201) == rate, codes
    assert codes.count(429) == attempts - rate, codes
    assert ChatSession.objects.count() == rate


@pytest.mark.integration
def test_visitor_heartbeats_past_the_rate_write_nothing(redis_layer):  # noqa: F811
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")

    async def beat(socket, times: int) -> None:
        for _ in range(times):
            await socket.send_json_to({"type": "heartbeat"})
        await socket.send_json_to({"type": "sync"})  # answered after every frame before it
        assert (await until(socket, "error"))["code"] == "invalid"

    def seen(visit_id):
        return Visit.objects.get(pk=visit_id).last_seen_at

    async def run():
        socket = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/chat/visitor/")
        assert (await socket.connect())[0]
        await socket.send_json_to({"type": "visit", "page": "/shop"})
        await until(socket, "visit")
        visit_id = await database_sync_to_async(lambda: Visit.objects.get().pk)()
        await beat(socket, BEATS_PER_INTERVAL)
        first = await database_sync_to_async(seen)(visit_id)
        await beat(socket, 20)
        after = await database_sync_to_async(seen)(visit_id)
        await socket.disconnect()
        return first, after

    first, after = async_to_sync(run)()
    assert after == first  # the beats past the rate wrote nothing
