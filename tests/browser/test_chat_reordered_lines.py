"""Two lines of one chat delivered out of order (as two server processes can) still show in the
customer's widget once each and in order: the widget asks for the gap instead of losing a line."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from chat.models import ChatSession
from chat.services import accept_chat, agent_says
from helpdesk.models import Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves chat/static without a collectstatic run."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


def swap_first_two_agent_lines(route):
    """Between the server and the page: hold the agent's first line back until the second one
    has been delivered."""
    server = route.connect_to_server()
    held = {"frame": None, "swapped": False}

    def from_server(frame):
        event = json.loads(frame)
        agent_line = event.get("type") == "message" and event.get("sender") == "agent"
        if agent_line and not held["swapped"] and held["frame"] is None:
            held["frame"] = frame
            return
        route.send(frame)
        if agent_line and held["frame"] is not None:
            route.send(held["frame"])  # the first line, now after the second
            held.update(frame=None, swapped=True)

    server.on_message(from_server)
    route.on_message(server.send)


def test_a_line_delivered_after_the_next_one_is_shown_once_and_in_order(live_asgi, browser):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    alex = UserFactory(username="alex", first_name="Alex", is_staff=True)
    AgentFactory(user=alex, presence=Presence.ONLINE)
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.route_web_socket("**/ws/chat/**", swap_first_two_agent_lines)
        page.goto(f"{live_asgi}/chat/")
        page.fill("#prechat-name", "Ann Smith")
        page.fill("#prechat-email", "ann@example.org")
        page.fill("#prechat-question", "Where is my order?")
        page.click("#prechat-start")
        page.locator("#chat-log .msg.customer").wait_for()

        chat = ChatSession.objects.get()

        def agent_answers():  # as the agent's server would: outside the page's event loop
            try:
                accept_chat(session_id=chat.pk, agent=alex)
                for text in ("One: it left the depot.", "Two: it arrives today.", "Three: ok?"):
                    agent_says(session_id=chat.pk, agent=alex, text=text)
            finally:
                connection.close()

        with ThreadPoolExecutor(1) as pool:
            pool.submit(agent_answers).result()

        page.locator(".msg.agent", has_text="Three: ok?").wait_for()
        lines = page.locator("#chat-log .msg.agent").all_inner_texts()
        assert [line.split(": ", 1)[1] for line in lines] == [
            "One: it left the depot.",
            "Two: it arrives today.",
            "Three: ok?",
        ]
        seqs = [int(s) for s in page.locator("#chat-log .msg").evaluate_all(
            "lines => lines.map(l => l.dataset.seq)"
        )]  # fmt: skip
        assert seqs == sorted(set(seqs))  # every line once, in order
    finally:
        context.close()
