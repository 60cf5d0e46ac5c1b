"""The widget on a customer's own site (another origin): its endpoints answer only the sites of
CHAT_WIDGET_ORIGINS (CORS, no cookies), its sockets accept them, the desk's sockets never do;
and, over the real Redis channel layer, the console's presence, heartbeat and invitations."""

import json

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from chat.models import ChatSession, ConsoleSocket, Invitation, Visit
from chat.origins import WidgetOriginValidator
from chat.routing import websocket_urlpatterns
from helpdesk.models import AgentProfile, Presence
from tests.chat.test_consumers import (  # noqa: F401 - its fixtures and helpers
    TIMEOUT,
    redis_layer,
    run,
    setup,
    until,
)
from tests.helpdesk.factories import UserFactory

SHOP = "https://shop.example"
ELSEWHERE = "https://evil.example"
widget_sites = override_settings(CHAT_WIDGET_ORIGINS=[SHOP])


@pytest.fixture
def live_chat(setup):  # noqa: F811 - test_consumers' fixture: an online agent and a chat
    return setup


def start(client, origin=None, **extra):
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    body = {"name": "Ann", "email": "ann@example.org", "question": "Hi", **extra}
    return client.post(
        "/chat/start/", data=json.dumps(body), content_type="application/json", **headers
    )


@widget_sites
def test_an_allowed_site_may_start_a_chat_across_origins(client, policy, agent):
    preflight = client.options(
        "/chat/start/",
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SHOP
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert preflight["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in preflight  # no cookies cross

    response = start(client, SHOP)
    assert response.status_code == 201, response.content
    assert response["Access-Control-Allow-Origin"] == SHOP
    assert response.json()["token"]
    assert ChatSession.objects.count() == 1


@widget_sites
def test_a_foreign_site_is_refused(client, policy, agent):
    for response in (
        start(client, ELSEWHERE),
        client.options("/chat/start/", HTTP_ORIGIN=ELSEWHERE),
        client.post(
            "/chat/message/",
            data=json.dumps({"name": "A", "email": "a@example.org", "text": "Hi"}),
            content_type="application/json",
            HTTP_ORIGIN=ELSEWHERE,
        ),
        # a plain cross-site form post (no preflight) is refused too
        client.post("/chat/start/", {"name": "A", "email": "a@x.org"}, HTTP_ORIGIN=ELSEWHERE),
    ):
        assert response.status_code == 403
        assert response.json()["error"] == "forbidden"
        assert "Access-Control-Allow-Origin" not in response
    assert not ChatSession.objects.exists()


@widget_sites
def test_the_help_desks_own_page_and_non_browser_clients_still_start_chats(client, policy, agent):
    same = start(client, "http://testserver")
    assert same.status_code == 201 and "Access-Control-Allow-Origin" not in same
    assert start(client).status_code == 201  # no Origin: not a browser page
    assert "Origin" in same["Vary"]


@widget_sites
def test_the_leave_a_message_endpoint_answers_an_allowed_site(client, policy):
    response = client.post(
        "/chat/message/",
        data=json.dumps({"name": "A", "email": "a@example.org", "text": "Call me"}),
        content_type="application/json",
        HTTP_ORIGIN=SHOP,
    )
    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == SHOP


def socket(path, origin, user=None, app=None, host="127.0.0.1:8000", scheme="ws"):
    from config.asgi import application

    communicator = WebsocketCommunicator(
        app or application, path, headers=[(b"origin", origin.encode()), (b"host", host.encode())]
    )
    communicator.scope["scheme"] = scheme
    if user is not None:
        communicator.scope["user"] = user
    return communicator


@widget_sites
def test_the_customer_socket_accepts_allowed_sites_only(live_chat):
    from chat.services import token_for

    _, chat = live_chat
    path = f"/ws/chat/{token_for(chat)}/"

    async def scenario():
        allowed = socket(path, SHOP)
        assert (await allowed.connect())[0]
        assert (await until(allowed, "hello"))["session"] == chat.pk
        await allowed.disconnect()
        foreign = socket(path, ELSEWHERE)
        assert not (await foreign.connect())[0]
        visitor = socket("/ws/chat/visitor/", SHOP)
        assert (await visitor.connect())[0]
        await visitor.disconnect()
        assert not (await socket("/ws/chat/visitor/", ELSEWHERE).connect())[0]
        own = socket(path, "http://127.0.0.1:8000")  # the help desk's own page
        assert (await own.connect())[0]
        await own.disconnect()

    run(scenario)


@widget_sites
def test_the_agent_socket_refuses_a_widget_site(live_chat):
    agent, _ = live_chat
    app = WidgetOriginValidator(URLRouter(websocket_urlpatterns))

    async def scenario():
        desk = socket("/ws/desk/chat/", "http://127.0.0.1:8000", user=agent, app=app)
        assert (await desk.connect())[0]  # the desk's own origin: in
        await desk.disconnect()
        embedded = socket("/ws/desk/chat/", SHOP, user=agent, app=app)
        assert not (await embedded.connect())[0]
        assert not (await socket("/ws/desk/", SHOP, user=agent, app=app).connect())[0]

    run(scenario)


@widget_sites
@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9000",  # another port of the same host: another site
        "http://127.0.0.1",
        "https://127.0.0.1:8000",  # another scheme
        "http://localhost:8000",  # another host
        "https://shop.example:8443",  # a widget site, on another port
        "null",
    ],
)
def test_every_socket_compares_scheme_host_and_port(live_chat, origin):
    from chat.services import token_for

    agent, chat = live_chat
    app = WidgetOriginValidator(URLRouter(websocket_urlpatterns))
    paths = ["/ws/desk/", "/ws/desk/chat/", f"/ws/chat/{token_for(chat)}/", "/ws/chat/visitor/"]

    async def scenario():
        for path in paths:
            assert not (await socket(path, origin, user=agent, app=app).connect())[0], path
        own = socket("/ws/desk/chat/", "http://127.0.0.1:8000", user=agent, app=app)
        assert (await own.connect())[0]
        await own.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    ("origin", "scheme", "host", "accepted"),
    [
        ("https://desk.example", "wss", "desk.example", True),
        ("https://desk.example", "ws", "desk.example", False),  # the page was not https
        ("http://desk.example", "wss", "desk.example", False),
        ("https://desk.example:8443", "wss", "desk.example:8443", True),
        ("https://desk.example", "wss", "desk.example:8443", False),
        ("https://evil.example", "wss", "evil.example", False),  # a host not in ALLOWED_HOSTS
        ("https://proxied.example", "wss", "internal:8000", True),  # CSRF_TRUSTED_ORIGINS
        ("https://a.trusted.example", "wss", "internal:8000", True),
        ("http://a.trusted.example", "wss", "internal:8000", False),
    ],
)
@override_settings(
    ALLOWED_HOSTS=["desk.example", "internal"],
    CSRF_TRUSTED_ORIGINS=["https://proxied.example", "https://*.trusted.example"],
)
def test_the_desk_socket_accepts_its_own_origin_only(live_chat, origin, scheme, host, accepted):
    agent, _ = live_chat
    app = WidgetOriginValidator(URLRouter(websocket_urlpatterns))

    async def scenario():
        desk = socket("/ws/desk/chat/", origin, user=agent, app=app, host=host, scheme=scheme)
        assert (await desk.connect())[0] is accepted
        await desk.disconnect()

    run(scenario)


@widget_sites
@pytest.mark.parametrize("origin", ["https://testserver", "http://testserver:8080"])
def test_the_chat_start_from_another_scheme_or_port_is_cross_site(client, policy, agent, origin):
    response = start(client, origin)

    assert response.status_code == 403
    assert not ChatSession.objects.exists()


@widget_sites
def test_a_widget_site_with_its_default_port_written_is_the_same_site(client, policy, agent):
    response = start(client, "https://shop.example:443")

    assert response.status_code == 201
    assert response["Access-Control-Allow-Origin"] == "https://shop.example:443"


def desk_socket(user):
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/desk/chat/")
    communicator.scope["user"] = user
    return communicator


def visitor_socket():
    return WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/chat/visitor/")


def test_an_agent_invites_a_visitor_who_declines_for_the_visit(live_chat):
    agent, _ = live_chat

    async def scenario():
        desk = desk_socket(agent)
        assert (await desk.connect())[0]
        hello = await until(desk, "hello")
        assert (hello["presence"], hello["heartbeat"], hello["visitors"]) == ("online", 20, [])

        widget = visitor_socket()
        assert (await widget.connect())[0]
        await widget.send_json_to(
            {"type": "visit", "page": "https://shop.example/", "title": "Shop"}
        )
        visit = await until(widget, "visit")
        assert (visit["heartbeat"], visit["declined"]) == (20, False)
        arrived = await until(desk, "visitor", action="arrived")
        assert (arrived["title"], arrived["invitation"]) == ("Shop", None)
        await widget.send_json_to({"type": "heartbeat"})

        await desk.send_json_to({"type": "invite", "visit": arrived["visit"], "message": "Hi!"})
        invited = await until(desk, "invited")
        got = await until(widget, "invitation")
        assert (got["message"], got["agent"], got["invitation"]) == (
            "Hi!",
            "Alex",
            invited["invitation"],
        )
        await widget.send_json_to(
            {"type": "answer", "invitation": got["invitation"], "accept": False}
        )
        declined = await until(desk, "visitor", action="updated", declined=True)
        assert declined["invitation"]["answer"] == "declined"
        await desk.send_json_to({"type": "invite", "visit": arrived["visit"], "message": "Sure?"})
        assert (await until(desk, "error"))["code"] == "declined"

        await widget.disconnect()
        assert (await until(desk, "visitor", action="left"))["visit"] == arrived["visit"]
        # The same visit on the next page: its token brings the decline along.
        again = visitor_socket()
        await again.connect()
        await again.send_json_to({"type": "visit", "visit": visit["visit"], "page": "/cart"})
        assert (await until(again, "visit"))["declined"] is True
        await again.disconnect()
        await desk.disconnect()

    run(scenario)
    assert Visit.objects.count() == 1 and Invitation.objects.count() == 1


def test_a_visitor_socket_says_its_visit_once_before_anything_else(live_chat):
    async def scenario():
        widget = visitor_socket()
        await widget.connect()
        await widget.send_json_to({"type": "answer", "accept": True})
        assert (await until(widget, "error"))["code"] == "forbidden"
        await widget.send_json_to({"type": "visit"})
        await until(widget, "visit")
        await widget.send_json_to({"type": "visit"})  # a second visit on one socket: no
        assert (await until(widget, "error"))["code"] == "forbidden"
        await widget.disconnect()

    run(scenario)


def test_only_agents_invite_and_have_a_presence(live_chat):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)  # a manager by rule

    async def scenario():
        widget = visitor_socket()
        await widget.connect()
        await widget.send_json_to({"type": "visit"})
        await until(widget, "visit")
        desk = desk_socket(root)
        assert (await desk.connect())[0]
        hello = await until(desk, "hello")
        visit = hello["visitors"][0]["visit"]
        await desk.send_json_to({"type": "invite", "visit": visit, "message": "Hi"})
        assert (await until(desk, "error"))["code"] == "forbidden"
        await desk.send_json_to({"type": "presence", "presence": "online"})
        assert (await until(desk, "error"))["code"] == "forbidden"
        await desk.disconnect()
        await widget.disconnect()

    run(scenario)
    assert not Invitation.objects.exists()


def test_console_presence_heartbeat_and_the_last_socket_closing(live_chat):
    agent, chat = live_chat  # alex is online and was offered the chat
    assert chat.offered_to == agent

    async def scenario():
        one, two = desk_socket(agent), desk_socket(agent)
        await one.connect()
        await until(one, "hello")
        await two.connect()
        await until(two, "hello")
        await one.send_json_to({"type": "presence", "presence": "away"})
        assert (await until(one, "presence"))["presence"] == "away"
        assert (await until(two, "presence"))["presence"] == "away"  # every console is told
        await one.send_json_to({"type": "presence", "presence": "online"})
        offer = await until(one, "offer")  # back online: the waiting chat is offered again
        assert offer["session"] == chat.pk
        await one.send_json_to({"type": "presence", "presence": "asleep"})
        assert (await until(one, "error"))["code"] == "invalid"
        await one.send_json_to({"type": "heartbeat"})
        await one.disconnect()
        await two.send_json_to({"type": "heartbeat"})
        await two.disconnect()

    run(scenario)
    assert AgentProfile.objects.get(user=agent).presence == Presence.AWAY
    assert not ConsoleSocket.objects.exists()
    chat.refresh_from_db()
    assert chat.offered_to is None  # nobody else online: back to the open queue
