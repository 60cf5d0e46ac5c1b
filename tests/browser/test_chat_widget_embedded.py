"""The widget embedded in a customer's own site, served from another origin (a plain
http.server on another loopback port): the agent sees the visitor, invites them with a message,
the customer accepts, and they chat with the agent console on the help desk's origin."""

import sys

import pytest

from chat.models import ChatSession, Invitation
from helpdesk.models import Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, UserFactory
from tests.support.servers import (
    SERVER_START_TIMEOUT,
    asgi_server,
    free_port,
    port_open,
    running,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SHOP_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Our shoe shop</title></head>
<body><h1>Shoes</h1>
<script src="{desk}/static/chat/widget.js" data-name="Ann Smith" data-email="ann@example.org">
</script></body></html>
"""


@pytest.fixture
def desk_and_shop(transactional_db, tmp_path, monkeypatch):
    """The help desk (daphne) allowing the shop's origin, and the shop's site."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")
    shop_port = free_port()
    shop = f"http://127.0.0.1:{shop_port}"
    site = tmp_path / "shop"
    site.mkdir()
    with asgi_server(tmp_path, CHAT_WIDGET_ORIGINS=shop) as desk:
        (site / "index.html").write_text(SHOP_PAGE.format(desk=desk), encoding="utf-8")
        cmd = [sys.executable, "-m", "http.server", "-b", "127.0.0.1", "-d", str(site)]
        with running([*cmd, str(shop_port)], env={}, log=tmp_path / "shop.log"):
            wait_for(
                lambda: port_open(shop_port),
                timeout=SERVER_START_TIMEOUT,
                what="the shop's http.server",
            )
            yield desk, shop


def test_an_agent_invites_a_visitor_of_another_site_who_accepts_and_chats(desk_and_shop, browser):
    desk, shop = desk_and_shop
    assert desk.split(":")[-1] != shop.split(":")[-1]  # two origins
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    AgentFactory(
        user=UserFactory(username="alex", first_name="Alex", is_staff=True),
        presence=Presence.ONLINE,
    )
    contexts = [browser.new_context(), browser.new_context()]
    customer, agent = (c.new_page() for c in contexts)
    for page in (customer, agent):
        page.set_default_timeout(15_000)
    try:
        agent.goto(f"{desk}/accounts/login/?next=/desk/chat/")
        agent.fill("input[name=username]", "alex")
        agent.fill("input[name=password]", "correct-horse-battery")
        agent.click("button[type=submit]")
        agent.locator("#connection", has_text="connected as Alex").wait_for()

        customer.goto(f"{shop}/")
        customer.locator("#prechat-name").wait_for()  # the widget, from the desk, on the shop
        visitor = agent.locator(".visitor", has_text="Our shoe shop")
        visitor.locator(".invite-message").fill("Hello from Alex! Need help with sizes?")
        visitor.locator("button.invite").click()

        customer.locator("#chat-invitation", has_text="Alex: Hello from Alex!").wait_for()
        customer.click("#invite-accept")
        assert customer.locator("#prechat-name").input_value() == "Ann Smith"  # prefilled
        assert customer.locator("#prechat-email").input_value() == "ann@example.org"
        customer.fill("#prechat-question", "Do you have size 44?")
        customer.click("#prechat-start")  # a cross-origin POST to the desk
        customer.locator("#chat-log .msg.customer", has_text="size 44").wait_for()

        # Offered to Alex, who invited: accept, greet, answer.
        agent.locator(".queue-item", has_text="Ann Smith").locator("button.accept").click()
        panel = agent.locator(".chat-panel")
        panel.locator(".msg.customer", has_text="Do you have size 44?").wait_for()
        panel.locator(".reply-input").fill("Yes, in black and brown.")
        panel.locator("button.send").click()
        customer.locator(".msg.agent", has_text="Yes, in black and brown.").wait_for()
        customer.fill("#chat-input", "Black, please")
        customer.click("#chat-send")
        panel.locator(".msg.customer", has_text="Black, please").wait_for()
    finally:
        for context in contexts:
            context.close()

    chat = ChatSession.objects.get()
    invitation = Invitation.objects.get()
    assert (invitation.answer, invitation.session, invitation.agent.username) == (
        "accepted",
        chat,
        "alex",
    )
    assert chat.agent.username == "alex"
