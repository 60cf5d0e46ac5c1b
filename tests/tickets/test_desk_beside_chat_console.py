"""An agent works with the desk (`ws/desk/`) and the chat console (`ws/desk/chat/`) open side by
side, over the real ASGI application and the real Redis channel layer: what one app tells the
agent never reaches the other's socket, so neither closes (the desk page would show
"Reconnecting..." on every presence change) and both keep hearing their own events."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chat.services.presence import change_presence
from config.asgi import application
from helpdesk.models import Presence
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import TeamFactory
from tickets.services import assign_ticket

from .desk_support import staff, ticket
from .test_desk_live import (
    ORIGIN,
    TIMEOUT,
    connect,
    redis_layer,  # noqa: F401 (a fixture)
    session_cookie,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maya(redis_layer, celery_eager):  # noqa: F811 (the fixture)
    """A policy in force; maya, an online agent of the Kettles team."""
    ensure_policy_in_force()
    return staff("maya", team=TeamFactory(name="Kettles"))


async def open_console(cookie: bytes) -> WebsocketCommunicator:
    headers = [(b"origin", ORIGIN), (b"host", b"127.0.0.1"), (b"cookie", cookie)]
    console = WebsocketCommunicator(application, "/ws/desk/chat/", headers=headers)
    connected, _ = await console.connect(timeout=TIMEOUT)
    assert connected
    hello = await console.receive_json_from(timeout=TIMEOUT)
    assert hello["type"] == "hello"
    return console


async def next_of(console: WebsocketCommunicator, kind: str) -> dict:
    """The console's next event of `kind`, skipping others (the queue, offers)."""
    while True:
        event = await console.receive_json_from(timeout=TIMEOUT)
        if event["type"] == kind:
            return event


def test_a_presence_change_in_the_console_leaves_the_desk_open_and_hearing(maya):
    cookie = session_cookie(maya)

    async def scenario():
        desk, connected = await connect(cookie=cookie)
        assert connected
        console = await open_console(cookie)

        # The console's own socket says "away", and every console of maya hears it ...
        await console.send_json_to({"type": "presence", "presence": Presence.AWAY})
        assert (await next_of(console, "presence"))["presence"] == Presence.AWAY  # the reply
        assert (await next_of(console, "presence"))["presence"] == Presence.AWAY  # the group
        # ... and a change made elsewhere (another console, another server) too.
        await database_sync_to_async(change_presence)(agent=maya, presence=Presence.ONLINE)
        assert (await next_of(console, "presence"))["presence"] == Presence.ONLINE

        # The desk page is still open, and the next thing it hears is the next new ticket:
        # nothing of the chat console's reached it.
        kettle = await database_sync_to_async(ticket)("Kettle")
        heard = await desk.receive_json_from(timeout=TIMEOUT)
        await console.disconnect()
        await desk.disconnect()
        return kettle, heard

    kettle, heard = async_to_sync(scenario)()

    assert (heard["event"], heard["ticket_id"]) == ("ticket.created", kettle.pk)


def test_a_ticket_assigned_to_the_agent_leaves_the_chat_console_open(maya):
    cookie = session_cookie(maya)
    kettle = ticket("Kettle", team=maya.agent_profile.team)

    async def scenario():
        desk, connected = await connect(cookie=cookie)
        assert connected
        console = await open_console(cookie)

        # The desk hears the ticket given to maya (through her own group among others) ...
        await database_sync_to_async(assign_ticket)(ticket=kettle, assignee=maya, actor=maya)
        updated = await desk.receive_json_from(timeout=TIMEOUT)
        # ... and the console, which heard none of it, still answers.
        await console.send_json_to({"type": "presence", "presence": Presence.AWAY})
        reply = await console.receive_json_from(timeout=TIMEOUT)
        await console.disconnect()
        await desk.disconnect()
        return updated, reply

    updated, reply = async_to_sync(scenario)()

    assert (updated["event"], updated["ticket_id"], updated["assignee"]) == (
        "ticket.updated", kettle.pk, "maya"
    )  # fmt: skip
    assert reply == {"type": "presence", "presence": Presence.AWAY}
