"""An agent keeps the desk's queue and the chat console open side by side, in a real browser
through the real ASGI server (Daphne) and the Redis channel layer: changing presence in the
console leaves the desk's live connection alone (it never shows "Reconnecting…"), and the desk
goes on hearing new tickets."""

import pytest
from playwright.sync_api import expect

from helpdesk.models import Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory
from tests.tickets.desk_support import ticket

pytestmark = [pytest.mark.browser, pytest.mark.integration]

# Counts every time the desk page's socket closes (live.js marks the body "closed").
COUNT_CLOSES = """() => {
  window.closes = 0;
  new MutationObserver(function () {
    if (document.body.dataset.live === "closed") window.closes += 1;
  }).observe(document.body, {attributes: true, attributeFilter: ["data-live"]});
}"""


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves the apps' static files without collectstatic."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


def test_a_presence_change_in_the_console_leaves_the_desk_live(live_asgi, browser):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    kettles = TeamFactory(name="Kettles")
    AgentFactory(
        user=UserFactory(username="maya", first_name="Maya"),
        team=kettles,
        presence=Presence.ONLINE,
    )
    context = browser.new_context()
    try:
        desk = context.new_page()
        desk.set_default_timeout(15_000)
        desk.goto(f"{live_asgi}/accounts/login/?next=/desk/?queue=open")
        desk.fill("input[name=username]", "maya")
        desk.fill("input[name=password]", "correct-horse-battery")
        desk.click("button[type=submit]")
        desk.wait_for_url(f"{live_asgi}/desk/?queue=open")
        desk.wait_for_selector("body[data-live=connected]")
        desk.evaluate(COUNT_CLOSES)

        # Two consoles: the first changes presence; the second shows it only when the event
        # to every console of maya has gone round (after it, the desk has heard it too).
        consoles = [context.new_page(), context.new_page()]
        for console in consoles:
            console.set_default_timeout(15_000)
            console.goto(f"{live_asgi}/desk/chat/")
            console.locator("#connection", has_text="connected as Maya").wait_for()
        consoles[0].select_option("#presence", "away")
        expect(consoles[1].locator("#presence")).to_have_value("away")
        consoles[0].select_option("#presence", "online")
        expect(consoles[1].locator("#presence")).to_have_value("online")

        lid = ticket("Broken lid", team=kettles)

        expect(desk.locator(f"tr[data-ticket='{lid.number}']")).to_have_count(1)
        expect(desk.locator("#live-status")).to_have_text("Live")
        assert desk.evaluate("window.closes") == 0
    finally:
        context.close()
