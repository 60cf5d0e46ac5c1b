"""A ticket's changes reach an agent's open pages without a reload, in a real browser: a
supervisor, in a session of their own, assigns the ticket to the agent and then resolves it; the
agent's queue shows the new agent and then drops the row, and the agent's open ticket page shows
the new status and agent.

Servers: Daphne (HTTP and WebSocket) on the PostgreSQL test database, Redis as channel layer.
"""

import pytest
from playwright.sync_api import expect

from helpdesk.models import Role
from helpdesk.services.policy import ensure_policy_in_force
from tests.helpdesk.factories import TeamFactory
from tests.tickets.desk_support import staff, ticket

pytestmark = [pytest.mark.browser, pytest.mark.integration]


def log_in(page, base_url: str, username: str, then: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{then}")


def test_an_assignment_and_a_resolution_reach_the_agent_s_open_pages(live_asgi, browser):
    ensure_policy_in_force()
    kettles = TeamFactory(name="Kettles")
    staff("maya", team=kettles)
    staff("lee", role=Role.SUPERVISOR, team=kettles)
    lid = ticket("Broken lid", team=kettles)
    url = f"/desk/tickets/{lid.number}/"
    agent, supervisor = browser.new_context(), browser.new_context()
    try:
        queue = agent.new_page()
        log_in(queue, live_asgi, "maya", "/desk/?queue=open")
        row = queue.locator(f"tr[data-ticket='{lid.number}']")
        expect(row.locator("td.assignee")).to_have_text("—")
        ticket_page = agent.new_page()
        ticket_page.goto(f"{live_asgi}{url}")
        expect(ticket_page.locator("#ticket-assignee")).to_have_text("unassigned")
        for page in (queue, ticket_page):
            page.wait_for_selector("body[data-live=connected]")
            page.evaluate("window.notReloaded = true")
        ticket_page.wait_for_selector(f"body[data-subscribed='{lid.pk}']")

        other = supervisor.new_page()
        log_in(other, live_asgi, "lee", url)
        other.select_option("#id_assign-assignee", label="maya")
        other.click("form[action$='/assign/'] button[type=submit]")
        other.wait_for_url(f"{live_asgi}{url}")

        expect(row.locator("td.assignee")).to_have_text("maya")
        expect(ticket_page.locator("#ticket-assignee")).to_have_text("assigned to maya")

        other.fill("#id_resolve-summary", "Sent a new lid.")
        other.click("#resolve-form button[type=submit]")

        expect(ticket_page.locator("#ticket-status")).to_have_text("Resolved")
        expect(row).to_have_count(0)  # resolved: no longer in the open queue
        expect(ticket_page.locator("#timeline")).to_contain_text("Sent a new lid.")
        for page in (queue, ticket_page):
            assert page.evaluate("window.notReloaded") is True  # it came over the WebSocket
    finally:
        agent.close()
        supervisor.close()
