"""Two ASGI server processes share the Redis channel layer: the customer on one, the agent on
the other, and the conversation works both ways."""

import pytest

from chat.models import ChatSession
from helpdesk.models import Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, UserFactory
from tests.support.servers import asgi_server

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def two_servers(transactional_db, tmp_path, monkeypatch):
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with asgi_server(tmp_path / "a") as one, asgi_server(tmp_path / "b") as two:
        yield one, two


def test_customer_on_one_server_agent_on_another(two_servers, browser):
    customer_url, agent_url = two_servers
    assert customer_url != agent_url
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    AgentFactory(
        user=UserFactory(username="alex", first_name="Alex", is_staff=True),
        presence=Presence.ONLINE,
    )
    contexts = [browser.new_context(), browser.new_context()]
    customer, agent = (c.new_page() for c in contexts)
    try:
        agent.goto(f"{agent_url}/accounts/login/?next=/desk/chat/")
        agent.fill("input[name=username]", "alex")
        agent.fill("input[name=password]", "correct-horse-battery")
        agent.click("button[type=submit]")
        agent.locator("#connection", has_text="connected as Alex").wait_for()

        customer.goto(f"{customer_url}/chat/")
        customer.fill("#prechat-name", "Ann Smith")
        customer.fill("#prechat-email", "ann@example.org")
        customer.click("#prechat-start")
        customer.locator("#chat-input").wait_for()
        # The queue on server B learns of the chat started on server A.
        agent.locator(".queue-item", has_text="Ann Smith").locator("button.accept").click()
        customer.locator(".msg.system", has_text="Alex joined the chat.").wait_for()

        panel = agent.locator(".chat-panel")
        panel.locator(".reply-input").fill("Hello from server B")
        panel.locator("button.send").click()
        customer.locator(".msg.agent", has_text="Hello from server B").wait_for()
        customer.fill("#chat-input", "Hello from server A")
        customer.click("#chat-send")
        panel.locator(".msg.customer", has_text="Hello from server A").wait_for()
    finally:
        for context in contexts:
            context.close()
    assert ChatSession.objects.get().messages.count() == 3
