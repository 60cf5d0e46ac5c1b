"""In a real browser: the deadlines page names a ticket "Ticket #1000" and its target in words,
the name opens the ticket; the header reaches complaints; the favicon is served. Screenshots at
1280 px and 375 px go to $SCREENSHOT_DIR when it is set (to look at them)."""

import os
from pathlib import Path

import pytest

from helpdesk.models import Clock
from helpdesk.services.sla import check_clock
from tests.helpdesk.sla_support import at, make_staff
from tests.tickets.desk_support import ticket as open_ticket

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def shoot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/desk/")


@pytest.mark.parametrize("width", [1280, 375])
def test_the_deadlines_page_names_the_ticket_and_opens_it(live_asgi, page, width):
    staff = make_staff()
    case = open_ticket("Lid cracked", opened_at=at(9), assignee=staff.agent)
    clock = Clock.objects.get(target="email.first_response", case_id=case.pk)
    check_clock(clock_id=clock.pk, now=at(18))
    page.set_viewport_size({"width": width, "height": 800})

    log_in(page, live_asgi, staff.agent.username)
    page.click("header >> text=Deadlines")
    assert page.get_by_text("First response (email)").first.is_visible()
    shoot(page, f"deadlines-{width}")
    page.get_by_role("link", name=f"Ticket #{case.number}").first.click()
    page.wait_for_url(f"{live_asgi}/desk/tickets/{case.number}/")
    shoot(page, f"ticket-{width}")

    page.click("header >> text=Complaints")
    page.wait_for_url(f"{live_asgi}/desk/complaints/")
    assert page.locator("h1").inner_text() == "Complaints"
    shoot(page, f"complaints-{width}")

    icon = page.locator("link[rel=icon]").get_attribute("href")
    response = page.request.get(f"{live_asgi}{icon}")
    assert response.ok and "svg" in response.headers["content-type"]
