"""Every page and endpoint under /desk/ is for staff with a role: an anonymous visitor is sent to
log in, a logged-in user without a staff role gets 403, whatever the method.

The URL list is read from the project's URL configuration, not written by hand, so a desk page
added tomorrow is checked by these tests without anyone remembering to add it.
"""

import re

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db

# A value for each path converter, so a URL with arguments can be built; the object does not
# exist, and the role check must answer before anything looks for it.
SAMPLE_ARGUMENTS = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def _walk(patterns, prefix: str = ""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _sample_path(route: str) -> str:
    def argument(match: re.Match) -> str:
        converter = match.group(1) or "str"
        return SAMPLE_ARGUMENTS[converter]

    path = re.sub(r"<(?:(\w+):)?\w+>", argument, route)
    assert "<" not in path and "^" not in path, f"cannot build a sample URL for {route!r}"
    return "/" + path


def desk_urls() -> list[str]:
    """Every URL of the project under /desk/, with sample arguments."""
    return sorted(
        {
            _sample_path(route)
            for route, _ in _walk(get_resolver().url_patterns)
            if route.startswith("desk/")
        }
    )


DESK_URLS = desk_urls()


def test_the_url_list_covers_the_desk():
    """The enumeration itself works: the known desk pages of every app are in it."""
    for name, kwargs in [
        ("desk:home", {}),
        ("desk:notifications-read", {}),
        ("tickets:queue", {}),
        ("tickets:ticket", {"number": 1}),
        ("tickets:phone-callbacks", {}),
        ("complaints:log", {}),
        ("chat:console", {}),
        ("chat:reveal-secure", {"detail_id": 1}),
        ("surveys:desk", {}),
    ]:
        assert reverse(name, kwargs=kwargs) in DESK_URLS, name
    assert len(DESK_URLS) >= 20


@pytest.mark.parametrize("url", DESK_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, url, method):
    response = getattr(client, method)(url)

    if response.status_code == 405:  # the method is refused before anything is shown
        return
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture(params=["plain user", "staff flag without a role"])
def user_without_role(request):
    """Someone who can log in but holds no agent, supervisor or manager role."""
    return UserFactory(is_staff=request.param == "staff flag without a role")


@pytest.mark.parametrize("url", DESK_URLS)
def test_users_without_a_staff_role_are_refused(client, user_without_role, url):
    client.force_login(user_without_role)

    answers = {method: getattr(client, method)(url) for method in ("get", "post")}

    codes = {method: response.status_code for method, response in answers.items()}
    assert set(codes.values()) <= {403, 405}, codes
    assert 403 in codes.values(), codes  # the method the page takes is refused for the role


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.MANAGER])
def test_every_staff_role_may_open_the_deadlines_page(client, role):
    client.force_login(AgentFactory(role=role).user)

    response = client.get(reverse("desk:home"))

    assert response.status_code == 200


def desk_sockets() -> list[str]:
    """Every WebSocket route of the desk (under /ws/desk/)."""
    from config.routing import websocket_urlpatterns

    routes = [route for route, _ in _walk(websocket_urlpatterns)]
    return sorted({_sample_path(route) for route in routes if route.startswith("ws/desk/")})


DESK_SOCKETS = desk_sockets()


def _connects(path: str, user) -> bool:
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator

    from config.routing import websocket_urlpatterns

    async def attempt() -> bool:
        communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), path)
        communicator.scope["user"] = user
        connected, _ = await communicator.connect(timeout=30)
        await communicator.disconnect()
        return connected

    return async_to_sync(attempt)()


def test_the_socket_list_covers_the_desk():
    assert {"/ws/desk/", "/ws/desk/chat/"} <= set(DESK_SOCKETS)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", DESK_SOCKETS)
def test_desk_sockets_refuse_anyone_without_a_staff_role(path):
    ensure_policy_in_force()
    refused = {
        "anonymous": AnonymousUser(),
        "plain user": UserFactory(),
        "staff flag without a role": UserFactory(is_staff=True),
    }

    answers = {who: _connects(path, user) for who, user in refused.items()}

    assert answers == dict.fromkeys(refused, False)
    assert _connects(path, AgentFactory(role=Role.AGENT).user) is True
