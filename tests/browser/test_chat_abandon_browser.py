"""A waiting customer in a real browser through the real ASGI server: the widget beats (on
Playwright's clock), a reload keeps the chat, and once the customer has been silent long enough
(a closed or sleeping page) the chat leaves the agent's queue in their console, and the customer
coming back is told why it ended and may start a new chat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import ChatSession, ChatStatus
from chat.services.abandonment import sweep_abandoned_chats
from helpdesk.models import Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, UserFactory
from tests.support.servers import asgi_server, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture
def live_asgi_fast_beat(transactional_db, tmp_path, monkeypatch):
    """The server with a one-second heartbeat, serving chat/static from the apps."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")
    with asgi_server(tmp_path, CHAT_HEARTBEAT_SECONDS="1") as url:
        yield url


def seen_at(chat):
    return ChatSession.objects.values_list("customer_seen_at", flat=True).get(pk=chat.pk)


def test_the_widget_beats_survives_a_reload_and_a_silent_page_leaves_the_queue(
    live_asgi_fast_beat, browser
):
    live = live_asgi_fast_beat
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    AgentFactory(
        user=UserFactory(username="alex", first_name="Alex", is_staff=True),
        presence=Presence.ONLINE,
    )
    desk_context, customer_context = browser.new_context(), browser.new_context()
    customer_context.clock.install()  # the widget's heartbeat timer runs when the test says
    agent, customer = desk_context.new_page(), customer_context.new_page()
    for page in (agent, customer):
        page.set_default_timeout(15_000)
    try:
        agent.goto(f"{live}/accounts/login/?next=/desk/chat/")
        agent.fill("input[name=username]", "alex")
        agent.fill("input[name=password]", "correct-horse-battery")
        agent.click("button[type=submit]")
        agent.locator("#connection", has_text="connected as Alex").wait_for()

        customer.goto(f"{live}/chat/")
        customer.fill("#prechat-name", "Ann Smith")
        customer.fill("#prechat-email", "ann@example.org")
        customer.fill("#prechat-question", "Where is my order?")
        customer.click("#prechat-start")
        customer.locator("#chat-log .msg.customer").wait_for()
        queued = agent.locator(".queue-item", has_text="Ann Smith")
        queued.wait_for()
        chat = ChatSession.objects.get()

        long_ago = timezone.now() - timedelta(minutes=10)
        ChatSession.objects.filter(pk=chat.pk).update(customer_seen_at=long_ago)

        def beat() -> bool:
            customer.clock.run_for(1_000)  # one heartbeat interval on the page's clock
            return seen_at(chat) > long_ago

        wait_for(beat, timeout=15, what="the widget's heartbeat to reach the server")

        customer.reload()  # a reload reconnects to the same chat: nothing ends
        customer.locator("#chat-log .msg.customer", has_text="Where is my order?").wait_for()
        assert ChatSession.objects.get(pk=chat.pk).status == ChatStatus.WAITING

        # The page's clock stands still from here: a closed page, or one asleep in a laptop
        # closed for minutes, sends nothing.
        assert sweep_abandoned_chats(now=timezone.now() + timedelta(minutes=5)) == 1
        queued.wait_for(state="detached")  # no agent is offered an empty chat
        ended = ChatSession.objects.get(pk=chat.pk)
        assert (ended.status, ended.end_reason) == (ChatStatus.MISSED, "abandoned")

        # The customer comes back to the sleeping page: told why, offered a new chat.
        customer.locator("#chat-ended", has_text="we did not hear from you").wait_for()
        customer.click("#chat-restart")
        customer.locator("#prechat-name").wait_for()
    finally:
        customer_context.close()
        desk_context.close()
