"""The desk and the chat widget on a phone-sized screen (375 px wide), in a real browser through
the real ASGI server: the pages an agent opens from a chat hand-off (the queue, the deadlines,
the callbacks due, the ticket) fit the screen, the ticket's side panel sits under the ticket
instead of over it, and a chat left as a message no longer says the customer is in the queue."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import ChatSession
from chat.services import offer_message
from helpdesk.models import Presence
from helpdesk.services.policy import publish_policy_version
from tests.chat.conftest import policy_text
from tests.helpdesk.factories import AgentFactory, UserFactory
from tests.tickets.conftest import eml
from tickets.services import assign_ticket, ingest_email
from tickets.services.phone import request_callback

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PHONE = {"width": 375, "height": 800}


@pytest.fixture(autouse=True)
def static_from_apps(monkeypatch):
    """The server (started after this) serves the apps' static files without collectstatic."""
    monkeypatch.setenv("WHITENOISE_USE_FINDERS", "true")


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def overflow(page) -> int:
    """How many pixels the page is wider than the screen (0: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_desk_pages_of_a_hand_off_fit_a_phone_screen(live_asgi, phone_page):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    maya = AgentFactory(user=UserFactory(username="maya", first_name="Maya", is_staff=True)).user
    ticket = assign_ticket(ticket=ingest_email(raw=eml("plain.eml")).ticket, assignee=maya)
    request_callback(number="07700900123", name="Carl Jones", note="Call me after 6pm please")
    page = phone_page
    page.goto(f"{live_asgi}/accounts/login/?next=/desk/")
    page.fill("input[name=username]", "maya")
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_asgi}/desk/")

    wide = {}
    for path in (
        "/desk/?queue=open",
        "/desk/deadlines/",
        "/desk/phone/callbacks/",
        f"/desk/tickets/{ticket.number}/",
    ):
        page.goto(f"{live_asgi}{path}")
        page.locator("main h1").wait_for()
        assert page.locator("main table").count(), path  # something to fit: a table of cases
        wide[path] = overflow(page)
    assert wide == dict.fromkeys(wide, 0)

    # The side panel (assign, status, priority...) comes after the ticket, not on top of it.
    main_column = page.locator(".ticket-layout > :first-child").bounding_box()
    side = page.locator(".ticket-layout > aside").bounding_box()
    assert side["y"] >= main_column["y"] + main_column["height"]


def test_a_chat_left_as_a_message_no_longer_shows_the_queue(live_asgi, phone_page):
    publish_policy_version(document=policy_text(), approved_by="Tests", change_note="24x7")
    AgentFactory(
        user=UserFactory(username="alex", first_name="Alex", is_staff=True),
        presence=Presence.OFFLINE,
    )
    customer = phone_page
    customer.goto(f"{live_asgi}/chat/")
    customer.fill("#prechat-name", "Lena Hart")
    customer.fill("#prechat-email", "lena@example.org")
    customer.fill("#prechat-question", "My order never arrived")
    customer.click("#prechat-start")
    customer.locator("#chat-typing", has_text="in the queue").wait_for()
    chat = ChatSession.objects.get()

    offer_message(session_id=chat.pk, now=timezone.now() + timedelta(minutes=10))
    customer.fill("#offer-text", "Please email me about it")
    customer.click("#offer-send")

    customer.locator("#chat-ended").wait_for()
    assert "in the queue" not in customer.locator("#helpdesk-chat").inner_text()
    assert customer.locator("#chat-input").is_disabled()
    assert customer.locator("#chat-send").is_disabled()
    assert overflow(customer) == 0
