"""A customer and an agent chat in two real browsers through the real ASGI server: greeting by
name, answer, and close after the customer confirms."""

import pytest

from chat.models import ChatSession, ChatStatus
from helpdesk.models import Interaction, Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves chat/static without a collectstatic run."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


@pytest.fixture
def two_contexts(browser):
    contexts = [browser.new_context(), browser.new_context()]
    pages = [c.new_page() for c in contexts]
    for page in pages:
        page.set_default_timeout(15_000)
    yield pages
    for context in contexts:
        context.close()


def test_customer_and_agent_chat_greet_answer_and_close(live_asgi, two_contexts):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    AgentFactory(
        user=UserFactory(username="alex", first_name="Alex", is_staff=True),
        presence=Presence.ONLINE,
    )
    customer, agent = two_contexts

    agent.goto(f"{live_asgi}/accounts/login/?next=/desk/chat/")
    agent.fill("input[name=username]", "alex")
    agent.fill("input[name=password]", "correct-horse-battery")
    agent.click("button[type=submit]")
    agent.wait_for_url(f"{live_asgi}/desk/chat/")
    agent.locator("#connection", has_text="connected as Alex").wait_for()

    customer.goto(f"{live_asgi}/chat/")
    customer.fill("#prechat-name", "Ann Smith")
    customer.fill("#prechat-email", "ann@example.org")
    customer.fill("#prechat-question", "Where is my order 4111 1111 1111 1111?")
    customer.click("#prechat-start")
    customer.locator("#chat-log .msg.customer").wait_for()
    assert "4111" not in customer.locator("#chat-log").inner_text()  # masked before shown

    agent.locator(".queue-item", has_text="Ann Smith").locator("button.accept").click()
    panel = agent.locator(".chat-panel")
    panel.locator(".msg.customer", has_text="Where is my order").wait_for()
    panel.locator("button.greet").click()
    assert panel.locator(".reply-input").input_value().startswith("Hi Ann, thanks for contacting")
    panel.locator("button.send").click()

    customer.locator(".msg.agent", has_text="Hi Ann, thanks for contacting").wait_for()
    customer.fill("#chat-input", "<b>Is it shipped?</b>")
    customer.click("#chat-send")
    panel.locator(".msg.customer", has_text="<b>Is it shipped?</b>").wait_for()  # as text

    panel.locator(".reply-input").fill("Yes, it ships today.")
    panel.locator("button.send").click()
    customer.locator(".msg.agent", has_text="Yes, it ships today.").wait_for()

    panel.locator(".summary-input").fill("Order ships today")
    panel.locator("button.ask-close").click()
    customer.locator("#confirm-yes").click()
    customer.locator("#chat-ended").wait_for()
    panel.locator(".notice", has_text="Chat ended.").wait_for()

    chat = ChatSession.objects.get()
    assert (chat.status, chat.customer_confirmed_resolved) == (ChatStatus.CLOSED, True)
    assert chat.summary == "Order ships today"
    assert Interaction.objects.filter(kind="chat closed", customer=chat.customer).exists()
    assert not chat.messages.filter(text__contains="4111").exists()


def test_a_proactive_invitation_can_be_declined_for_the_visit_or_accepted(live_asgi, browser):
    # The page's timers run on Playwright's clock, so "time on page" passes when the test says.
    context = browser.new_context()
    context.clock.install()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_asgi}/chat/demo/?invite_after=1")
        page.clock.run_for(1_500)
        page.locator("#chat-invitation").wait_for()
        page.click("#invite-decline")
        assert page.locator("#chat-invitation").count() == 0
        page.reload()  # the same visit: the decline is remembered
        page.clock.run_for(60_000)  # a minute on the page, far past the rule's second
        assert page.locator("#chat-invitation").count() == 0
    finally:
        context.close()
    context = browser.new_context()  # another visit is invited again, and may accept
    context.clock.install()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_asgi}/chat/demo/?invite_after=1")
        page.clock.run_for(1_500)
        page.click("#invite-accept")
        page.locator("#prechat-name").wait_for()
    finally:
        context.close()
