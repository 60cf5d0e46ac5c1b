"""A customer closes a chat in Chromium, follows the survey link the widget shows, and answers
the survey with the keyboard; a low score opens a follow-up for the agent's supervisor.
Everything runs against the real ASGI server (Daphne), PostgreSQL and Redis."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from chat import services as chat
from chat.models import ChatSession
from helpdesk.models import Presence, Role
from helpdesk.services.policy import publish_policy_version
from surveys.models import FollowUp, SurveyInvitation, SurveyResponse
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def in_thread(func, **kwargs):
    def run():
        try:
            return func(**kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result(timeout=30)


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves chat/static without a collectstatic run."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


def test_customer_answers_the_survey_after_a_chat(live_asgi, page):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    team = TeamFactory(name="Support")
    supervisor = AgentFactory(
        user=UserFactory(username="sam"), team=team, role=Role.SUPERVISOR
    ).user
    agent = AgentFactory(
        user=UserFactory(username="alex", first_name="Alex", is_staff=True),
        team=team,
        supervisor=supervisor,
        presence=Presence.ONLINE,
    ).user

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{live_asgi}/chat/")
    page.fill("#prechat-name", "Ann Smith")
    page.fill("#prechat-email", "ann@example.org")
    page.fill("#prechat-question", "Where is my order?")
    page.click("#prechat-start")
    page.locator("#chat-log .msg.customer").wait_for()

    # The agent takes the chat and asks to close it (through the same services as the desk).
    # In a thread of their own: Playwright's event loop runs in this one, and the services
    # publish to the channel layer with async_to_sync.
    session = ChatSession.objects.get()
    in_thread(chat.accept_chat, session_id=session.pk, agent=agent)
    in_thread(chat.ask_to_confirm, session_id=session.pk, by=agent, summary="Order ships today")
    page.click("#confirm-yes")
    page.locator("#chat-ended").wait_for()

    link = page.locator("#chat-survey-link")
    link.wait_for()
    invitation = SurveyInvitation.objects.get()
    assert invitation.conversation == session and invitation.agent == agent
    link.click()
    page.wait_for_url(f"{live_asgi}/survey/**")
    page.get_by_role("group", name="Did we answer your question today?").wait_for()

    # Keyboard only: the radios, in order, are reached with Tab and chosen with the arrows.
    page.get_by_label("No").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # into the score group
    page.keyboard.press("Space")  # score 1
    page.keyboard.press("ArrowRight")  # score 2
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_comment"
    page.keyboard.type("The answer took too long.")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_role("heading", name="Thank you for your feedback").wait_for()

    response = SurveyResponse.objects.get()
    assert (response.answered, response.score) == (False, 2)
    assert response.comment == "The answer took too long."
    assert FollowUp.objects.get().supervisor == supervisor

    # The link is single-use: opening it again gets a friendly page, not the form.
    page.go_back()
    page.reload()
    page.get_by_role("heading", name="Thank you, we already have your answer").wait_for()
