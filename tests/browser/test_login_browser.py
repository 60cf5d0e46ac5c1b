"""An agent logs in through the real ASGI server in a real browser."""

import pytest

from tests.helpdesk.factories import AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def test_agent_logs_in_and_reaches_the_desk(live_asgi, page):
    AgentFactory(user__username="alice")

    page.goto(f"{live_asgi}/desk/")
    assert "/accounts/login/" in page.url  # anonymous: sent to log in first

    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")

    page.wait_for_url(f"{live_asgi}/desk/")
    assert page.locator("h1").inner_text() == "Desk"
    assert "alice" in page.locator("header").inner_text()


def test_wrong_password_shows_a_form_error(live_asgi, page):
    AgentFactory(user__username="bob")

    page.goto(f"{live_asgi}/accounts/login/")
    page.fill("input[name=username]", "bob")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")

    assert "enter a correct username and password" in page.content().lower()
