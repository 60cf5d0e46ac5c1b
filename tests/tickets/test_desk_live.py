"""The desk's WebSocket through the real ASGI application (origin check, session auth) and the
real Redis channel layer: staff hear new tickets and messages the moment they are committed;
nobody else gets in."""

import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from config.asgi import application
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import UserFactory
from tickets.services import add_internal_note, ingest_email

from .conftest import eml
from .desk_support import customer_user, staff, ticket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ORIGIN = b"http://127.0.0.1"
TIMEOUT = 5


@pytest.fixture
def redis_layer(settings):
    """The Redis channel layer of REDIS_URL, under a prefix of this test's own."""
    url = django_settings.REDIS_URL
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} is not reachable ({exc}); `make test` starts one")
    prefix = f"desk-test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": prefix},
        }
    }
    channel_layers.backends.pop("default", None)
    yield
    channel_layers.backends.pop("default", None)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def desk(redis_layer, celery_eager):
    """A policy in force, and Celery tasks (the acknowledgement) run in this process."""
    ensure_policy_in_force()


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(*, cookie: bytes | None = None, origin: bytes = ORIGIN):
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    communicator = WebsocketCommunicator(application, "/ws/desk/", headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    return communicator, connected


def test_an_agent_hears_a_new_email_ticket_and_its_message(desk):
    cookie = session_cookie(staff("maya"))

    async def scenario():
        communicator, connected = await connect(cookie=cookie)
        assert connected
        result = await database_sync_to_async(ingest_email)(raw=eml("plain.eml"))
        heard = [await communicator.receive_json_from(timeout=TIMEOUT) for _ in range(3)]
        await communicator.disconnect()
        return result, heard

    result, heard = async_to_sync(scenario)()

    ticket = result.ticket
    created, received, acknowledged = heard
    assert created == {
        "event": "ticket.created",
        "ticket_id": ticket.pk,
        "number": ticket.number,
        "reference": ticket.reference,
    }
    assert (received["event"], received["direction"]) == ("message.created", "inbound")
    assert received["message_id"] == ticket.messages.get(direction="inbound").pk
    assert (acknowledged["event"], acknowledged["direction"]) == ("message.created", "outbound")


def test_a_ticket_page_hears_its_messages_once(desk):
    maya = staff("maya")
    cookie, kettle = session_cookie(maya), ticket("Kettle")

    async def scenario():
        communicator, connected = await connect(cookie=cookie)
        assert connected
        await communicator.send_json_to({"action": "subscribe", "ticket": kettle.pk})
        subscribed = await communicator.receive_json_from(timeout=TIMEOUT)
        await database_sync_to_async(add_internal_note)(ticket=kettle, author=maya, text="Hi")
        heard = await communicator.receive_json_from(timeout=TIMEOUT)
        # Heard through "desk" and "ticket-<id>" both, forwarded once.
        assert await communicator.receive_nothing(timeout=0.5)
        await communicator.send_json_to({"action": "subscribe", "ticket": 987654321})
        unknown = await communicator.receive_json_from(timeout=TIMEOUT)
        await communicator.disconnect()
        return subscribed, heard, unknown

    subscribed, heard, unknown = async_to_sync(scenario)()

    assert subscribed == {"subscribed": kettle.pk}
    assert (heard["event"], heard["ticket_id"], heard["direction"]) == (
        "message.created", kettle.pk, "internal"
    )  # fmt: skip
    assert unknown == {"error": "no such ticket"}


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff-without-role"])
def test_anyone_but_staff_is_refused(desk, who):
    cookie = None
    if who == "customer":
        cookie = session_cookie(customer_user())
    elif who == "staff-without-role":
        cookie = session_cookie(UserFactory(username="flagonly", is_staff=True))

    async def scenario():
        communicator, connected = await connect(cookie=cookie)
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_another_site_s_page_is_refused(desk):
    cookie = session_cookie(staff("maya"))

    async def scenario():
        communicator, connected = await connect(cookie=cookie, origin=b"http://evil.example")
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False
