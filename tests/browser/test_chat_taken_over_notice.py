"""The agent whose chat a supervisor takes over is told with whom: the console's notice names
the customer, as the agent knows the chat, not the chat's number."""

import pytest

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


def test_the_agent_is_told_whose_chat_was_taken_over(live_asgi, page):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    support = TeamFactory(name="Support")
    sam = AgentFactory(
        user=UserFactory(username="sam", first_name="Sam", is_staff=True),
        role=Role.SUPERVISOR,
        team=support,
    ).user
    ann = AgentFactory(
        user=UserFactory(username="ann", first_name="Ann", is_staff=True),
        team=support,
        supervisor=sam,
        presence=Presence.ONLINE,
    ).user
    chat = services.start_chat(name="Cat Jones", email="cat@example.org", team=support)
    services.accept_chat(session_id=chat.pk, agent=ann)
    services.escalate_chat(session_id=chat.pk, by=ann, notes="Refund above my limit")

    page.goto(f"{live_asgi}/accounts/login/?next=/desk/chat/")
    page.fill("input[name=username]", "ann")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.locator(f'.chat-panel[data-session="{chat.pk}"] .reply-input').wait_for()

    services.take_over_chat(session_id=chat.pk, by=sam)

    page.locator(f'.chat-panel[data-session="{chat.pk}"]').wait_for(state="detached")
    notice = page.locator("#console-notice").inner_text()
    assert notice == "Sam has taken over your chat with Cat Jones."
    assert ChatSession.objects.get(pk=chat.pk).agent == sam
