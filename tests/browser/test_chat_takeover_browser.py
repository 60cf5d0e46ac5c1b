"""An escalated chat in real browsers through the real ASGI server: the supervisor opens the
escalation's notification on the desk, which opens the chat in the console, watched read-only
and live; they take it over, and the customer's widget shows that a supervisor has joined."""

import pytest
from playwright.sync_api import expect

from chat import services
from chat.models import ChatSession
from helpdesk.models import Presence, Role
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves chat/static without a collectstatic run."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


@pytest.fixture
def two_pages(browser):
    contexts = [browser.new_context(), browser.new_context()]
    pages = [c.new_page() for c in contexts]
    for page in pages:
        page.set_default_timeout(15_000)
    yield pages
    for context in contexts:
        context.close()


def staff(username: str, *, role=Role.AGENT, team=None, supervisor=None, presence=Presence.ONLINE):
    return AgentFactory(
        user=UserFactory(username=username, first_name=username.title(), is_staff=True),
        role=role,
        team=team,
        supervisor=supervisor,
        presence=presence,
    ).user


def log_in(page, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/accounts/login/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def test_the_supervisor_opens_the_escalation_watches_and_takes_over(live_asgi, two_pages):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    support = TeamFactory(name="Support")
    sam = staff("sam", role=Role.SUPERVISOR, team=support, presence=Presence.OFFLINE)
    ann = staff("ann", team=support, supervisor=sam)
    customer, boss = two_pages

    customer.goto(f"{live_asgi}/chat/")
    customer.fill("#prechat-name", "Cat Jones")
    customer.fill("#prechat-email", "cat@example.org")
    customer.fill("#prechat-question", "I want a refund of 300 pounds")
    customer.click("#prechat-start")
    customer.locator("#chat-log .msg.customer").wait_for()
    chat = ChatSession.objects.get()
    services.accept_chat(session_id=chat.pk, agent=ann)
    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund above my limit")
    customer.locator("#chat-log .msg", has_text="asked a supervisor to help").wait_for()
    assert "passed to a supervisor" not in customer.locator("#chat-log").inner_text()

    # The notification on the desk opens the chat in the console, watched.
    log_in(boss, live_asgi, "sam", "/desk/deadlines/")
    boss.locator(".notifications li", has_text="Refund above my limit").get_by_role(
        "link", name="open"
    ).click()
    boss.wait_for_url(f"{live_asgi}/desk/chat/?session={chat.pk}")
    panel = boss.locator(f'.chat-panel.watching[data-session="{chat.pk}"]')
    expect(panel.locator(".watch-label")).to_have_text("Watching (read-only): handled by Ann")
    panel.locator(".escalation-notes", has_text="Refund above my limit").wait_for()
    panel.locator(".msg.customer", has_text="I want a refund").wait_for()
    assert panel.locator(".reply-input").count() == 0  # read-only

    # Live: the customer's next line reaches the watching supervisor.
    customer.fill("#chat-input", "Hello? Anyone there?")
    customer.click("#chat-send")
    panel.locator(".msg.customer", has_text="Hello? Anyone there?").wait_for()

    panel.locator("button.take-over").click()
    own = boss.locator(f'.chat-panel:not(.watching)[data-session="{chat.pk}"]')
    own.locator(".reply-input").wait_for()
    customer.locator(
        "#chat-log .msg", has_text="Sam, a supervisor, has joined the chat and will help you"
    ).wait_for()
    own.locator(".reply-input").fill("I can approve that refund.")
    own.locator("button.send").click()
    customer.locator(".msg.agent", has_text="I can approve that refund.").wait_for()
    assert ChatSession.objects.get(pk=chat.pk).agent == sam


def test_an_agent_s_link_to_another_agent_s_chat_opens_nothing(live_asgi, browser):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    support = TeamFactory(name="Support")
    ann = staff("ann", team=support)
    staff("olga", team=support)
    chat = services.start_chat(name="Cat", email="cat@example.org", team=support)
    services.accept_chat(session_id=chat.pk, agent=ann)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_asgi, "olga", "/desk/chat/")
        page.goto(f"{live_asgi}/desk/chat/?session={chat.pk}")
        expect(page.locator("#console-notice")).to_contain_text("another agent's chat")
        assert page.locator(".chat-panel").count() == 0
    finally:
        context.close()
